/**
 * Starts a real PostgreSQL 15 (Debian's `postgresql` package) on 127.0.0.1 for
 * tests of the `DATABASE_URL` path. PostgreSQL refuses to run as root, so as
 * root the server runs as the `postgres` user the package creates, in a
 * temporary directory that user owns.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const DEBIAN_BIN = '/usr/lib/postgresql/15/bin';

/** A running test server: its URL (user `app`, no password) and how to stop and remove it. */
export interface TestPostgres {
  readonly url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Runs a PostgreSQL binary, as `postgres` when this process is root. */
function runPg(args: string[]): string {
  const asRoot = process.getuid?.() === 0;
  try {
    if (asRoot) {
      return execFileSync('su', ['postgres', '-s', '/bin/sh', '-c', args.map(shellQuote).join(' ')], { encoding: 'utf8', stdio: 'pipe' });
    }
    return execFileSync(args[0]!, args.slice(1), { encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${path.basename(args[0]!)} failed: ${err.stderr || err.stdout || err.message}`);
  }
}

/** Options of a test server. */
export interface PostgresOptions {
  /** Server settings (`-c name=value`). */
  readonly settings?: Readonly<Record<string, string>>;
  /** Lines of pg_hba.conf replacing initdb's. */
  readonly hba?: readonly string[];
  /** Folder of the server binaries (a tree with extensions built in). @default Debian's /usr/lib/postgresql/15/bin */
  readonly bin?: string;
}

/** Starts a fresh PostgreSQL 15 server; fails (never skips) when it is not installed. */
export async function startPostgres(options: PostgresOptions = {}): Promise<TestPostgres> {
  const BIN = options.bin ?? DEBIAN_BIN;
  if (!fs.existsSync(path.join(BIN, 'initdb'))) {
    throw new Error(`PostgreSQL 15 is not installed (${BIN}/initdb is missing); install it: apt-get install -y postgresql`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sovra-pg-'));
  const data = path.join(dir, 'data');
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    fs.chownSync(dir, uid, gid);
  }
  const port = await freePort();
  runPg([`${BIN}/initdb`, '-D', data, '-A', 'trust', '-U', 'app', '--no-sync', '-E', 'UTF8', '--locale=C']);
  if (options.hba) {
    fs.writeFileSync(path.join(dir, 'pg_hba.conf'), `${options.hba.join('\n')}\n`);
    if (process.getuid?.() === 0) execFileSync('chown', ['postgres', path.join(dir, 'pg_hba.conf')]);
  }
  const extra = Object.entries({ ...(options.settings ?? {}), ...(options.hba ? { hba_file: path.join(dir, 'pg_hba.conf') } : {}) })
    .map(([k, v]) => ` -c ${k}=${v}`)
    .join('');
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=50${extra}`;
  runPg([`${BIN}/pg_ctl`, '-D', data, '-o', opts, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  let stopped = false;
  return {
    url: `postgres://app@127.0.0.1:${port}/postgres`,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        runPg([`${BIN}/pg_ctl`, '-D', data, '-m', 'fast', '-w', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
