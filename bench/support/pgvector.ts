/**
 * Debian's PostgreSQL 15 with pgvector, for tests and benchmarks of the
 * server path. Debian has no pgvector package: the extension is built from
 * the pinned upstream source in the reference data
 * (`src/pgvector-0.8.6.tar.gz`, needs `postgresql-server-dev-15`, make and a
 * C compiler; about 15 s on 2 cores) and installed into a private copy of
 * the server's tree (binaries copied, libraries and share files linked), so
 * the system's PostgreSQL stays without the extension that other tests
 * expect to be missing. PostgreSQL finds its library and share folders
 * relative to the binary, so the copy loads `vector` from the private tree.
 * The tree is cached per pgvector and server version in the temp folder.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPostgres, type TestPostgres } from '../../test/support/postgres.js';
import { sharedPath } from '../../test/support/shared.js';

const PG = '/usr/lib/postgresql/15';
const SHARE = '/usr/share/postgresql/15';
const PGVECTOR = 'pgvector-0.8.6';

function run(cmd: string, args: string[], cwd: string): void {
  try {
    execFileSync(cmd, args, { cwd, stdio: 'pipe' });
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}: ${err.stderr?.toString() || err.message}`);
  }
}

/** Links every entry of `from` into `to` (a new folder), except the names in `skip`. */
function linkAll(from: string, to: string, skip: readonly string[] = []): void {
  fs.mkdirSync(to, { recursive: true });
  for (const name of fs.readdirSync(from)) if (!skip.includes(name)) fs.symlinkSync(path.join(from, name), path.join(to, name));
}

/** The `bin` folder of a private PostgreSQL 15 tree with pgvector installed; built on first use. */
export function pgvectorServerBin(): string {
  const pgConfig = `${PG}/bin/pg_config`;
  if (!fs.existsSync(`${PG}/bin/initdb`)) throw new Error(`PostgreSQL 15 is not installed (${PG}/bin/initdb is missing): apt-get install -y postgresql`);
  if (!fs.existsSync('/usr/include/postgresql/15/server/postgres.h')) throw new Error('building pgvector needs the server headers: apt-get install -y postgresql-server-dev-15');
  const version = execFileSync(pgConfig, ['--version'], { encoding: 'utf8' }).trim().replace(/\W+/g, '-');
  const root = path.join(os.tmpdir(), `sovra-${PGVECTOR}-${version}`);
  const bin = path.join(root, 'tree', PG.slice(1), 'bin');
  if (fs.existsSync(path.join(root, 'done'))) return bin;
  fs.rmSync(root, { recursive: true, force: true });
  fs.mkdirSync(root, { recursive: true });
  run('tar', ['xzf', sharedPath(`src/${PGVECTOR}.tar.gz`)], root);
  const src = path.join(root, PGVECTOR);
  // OPTFLAGS empty: no -march=native, so the build does not depend on the machine it ran on.
  run('make', ['-j2', `PG_CONFIG=${pgConfig}`, 'OPTFLAGS='], src);
  run('make', ['install', `PG_CONFIG=${pgConfig}`, 'OPTFLAGS=', `DESTDIR=${path.join(root, 'staged')}`], src);
  const tree = path.join(root, 'tree');
  fs.cpSync(`${PG}/bin`, bin, { recursive: true });
  linkAll(`${PG}/lib`, path.join(tree, PG.slice(1), 'lib'));
  fs.copyFileSync(path.join(root, 'staged', PG.slice(1), 'lib', 'vector.so'), path.join(tree, PG.slice(1), 'lib', 'vector.so'));
  linkAll(SHARE, path.join(tree, SHARE.slice(1)), ['extension']);
  linkAll(`${SHARE}/extension`, path.join(tree, SHARE.slice(1), 'extension'));
  const stagedExt = path.join(root, 'staged', SHARE.slice(1), 'extension');
  for (const f of fs.readdirSync(stagedExt)) fs.copyFileSync(path.join(stagedExt, f), path.join(tree, SHARE.slice(1), 'extension', f));
  // The server runs as `postgres` when this process is root: it must read the tree.
  run('chmod', ['-R', 'a+rX', root], root);
  fs.writeFileSync(path.join(root, 'done'), `${PGVECTOR}\n`);
  return bin;
}

/** Starts a fresh PostgreSQL 15 server on 127.0.0.1 where `CREATE EXTENSION vector` works. */
export async function startPgvectorServer(settings: Readonly<Record<string, string>> = {}): Promise<TestPostgres> {
  return startPostgres({ bin: pgvectorServerBin(), settings });
}
