/**
 * Reading a Debian package without dpkg: the .deb is an ar archive
 * (`debian-binary`, `control.tar.*`, `data.tar.*`); the tar members are
 * compressed with xz (what Debian uses), zstd or gzip. Node has gzip but
 * neither xz nor zstd, so those go through the system's `xz` and `zstd`
 * (Debian packages xz-utils and zstd) as child processes, streamed. No
 * maintainer script is run.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { SovraError } from '../../core/errors.js';
import { readTar, type TarEntry } from './tar.js';

/** One member of an ar archive. */
export interface ArMember {
  readonly name: string;
  readonly data: Buffer;
}

/** The members of an ar archive (the common format dpkg-deb writes; GNU `name/` endings accepted). */
export function readAr(buf: Buffer, what: string): ArMember[] {
  if (buf.subarray(0, 8).toString('latin1') !== '!<arch>\n') throw new SovraError('bad-input', `${what} is not an ar archive (a .deb starts with "!<arch>").`);
  const out: ArMember[] = [];
  let i = 8;
  while (i < buf.length) {
    if (i + 60 > buf.length) throw new SovraError('bad-input', `${what}: truncated ar header at byte ${i}.`);
    const h = buf.subarray(i, i + 60);
    if (h.subarray(58, 60).toString('latin1') !== '`\n') throw new SovraError('bad-input', `${what}: bad ar header at byte ${i}.`);
    const name = h.subarray(0, 16).toString('latin1').trimEnd().replace(/\/$/, '');
    const size = Number(h.subarray(48, 58).toString('latin1').trim());
    if (!Number.isInteger(size) || i + 60 + size > buf.length) throw new SovraError('bad-input', `${what}: member ${name} runs past the end of the archive.`);
    out.push({ name, data: buf.subarray(i + 60, i + 60 + size) });
    i += 60 + size + (size % 2);
  }
  return out;
}

/** The decompressed bytes of a tar member `name` (`*.tar`, `.tar.gz`, `.tar.xz`, `.tar.zst`), streamed. */
function decompress(name: string, data: Buffer, what: string): AsyncIterable<Buffer> {
  if (name.endsWith('.tar')) return Readable.from([data]);
  if (name.endsWith('.tar.gz')) return Readable.from([data]).pipe(createGunzip());
  const tool = name.endsWith('.tar.xz') ? { cmd: 'xz', pkg: 'xz-utils' } : name.endsWith('.tar.zst') ? { cmd: 'zstd', pkg: 'zstd' } : undefined;
  if (!tool) throw new SovraError('bad-input', `${what}: member ${name} has a compression Sovra does not read (xz, zstd, gzip or none).`);
  return childFilter(tool.cmd, tool.pkg, data, `${what} ${name}`);
}

/** stdout of `cmd -dc` fed `data`; a missing tool or a failure is an error naming it. */
async function* childFilter(cmd: string, pkg: string, data: Buffer, what: string): AsyncGenerator<Buffer> {
  const child = spawn(cmd, ['-dc'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<void>((resolve, reject) => {
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'ENOENT' ? new SovraError('io', `${what}: the \`${cmd}\` program is needed to unpack Debian packages and is not installed (Debian package ${pkg}: apt-get install ${pkg}).`) : e),
    );
    child.on('close', (code) => (code === 0 ? resolve() : reject(new SovraError('bad-input', `${what}: ${cmd} -dc failed (exit ${code}): ${stderr.trim()}`))));
  });
  // An early exit (bad input) closes stdin; the error then comes from `exited`.
  child.stdin.on('error', () => undefined);
  child.stdin.end(data);
  try {
    for await (const chunk of child.stdout) yield chunk as Buffer;
  } finally {
    child.stdout.destroy();
  }
  await exited;
}

/** What a .deb holds besides its files. */
export interface DebInfo {
  /** The `control` file of the package, as written. */
  readonly control: string;
}

/**
 * Reads the .deb at `path`: calls `onEntry` for every entry of its data
 * archive, in archive order, and returns its control file.
 */
export async function readDeb(path: string, what: string, onEntry: (e: TarEntry) => Promise<void>): Promise<DebInfo> {
  const members = readAr(await readFile(path), what);
  if (members[0]?.name !== 'debian-binary' || !members[0].data.toString('latin1').startsWith('2.')) throw new SovraError('bad-input', `${what}: not a Debian binary package of format 2.x.`);
  const control = members.find((m) => m.name.startsWith('control.tar'));
  const data = members.find((m) => m.name.startsWith('data.tar'));
  if (!control || !data) throw new SovraError('bad-input', `${what}: no control.tar or data.tar member.`);
  let controlText: string | undefined;
  for await (const e of readTar(decompress(control.name, control.data, what), `${what} ${control.name}`)) {
    if (e.type === 'file' && e.path.replace(/^\.\//, '') === 'control') {
      const parts: Buffer[] = [];
      for await (const c of e.body()) parts.push(c);
      controlText = Buffer.concat(parts).toString('utf8');
    }
  }
  if (controlText === undefined) throw new SovraError('bad-input', `${what}: ${control.name} has no control file.`);
  for await (const e of readTar(decompress(data.name, data.data, what), `${what} ${data.name}`)) await onEntry(e);
  return { control: controlText };
}

/** A field of a control file (`Package`, `Version`, …). */
export function controlField(control: string, name: string): string | undefined {
  const m = new RegExp(`^${name}: *(.*)$`, 'm').exec(control);
  return m?.[1]?.trim();
}
