/**
 * zstd compression as a stream through the system's `zstd` binary (Debian
 * package `zstd`): Node 20's zlib has no zstd, and one path only keeps the
 * archive's bytes independent of the Node version. Level 1: a bundle is
 * mostly layers and chart archives that are compressed already, where
 * higher levels cost CPU and gain nothing. Multi-threaded (`-T0`, a worker
 * per core): zstd's multi-threaded mode writes the same bytes for any
 * number of workers (checked with zstd 1.5.4 for 1, 2 and 4 workers on
 * compressible and random data; `--single-thread` would differ), so the
 * archive is the same on any machine with the same zstd version, which the
 * provenance records. Content checksum on.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { SovraError } from '../../core/errors.js';

/** Compression level of every bundle. */
export const ZSTD_LEVEL = 1;

/** A running zstd: write to `input` or read `output`; `done` settles when it exits (rejects on failure, with its message). */
export interface ZstdStream {
  readonly input: Writable;
  readonly output: Readable;
  readonly done: Promise<void>;
  /** Stops it (on the caller's failure). */
  kill(): void;
}

function run(args: string[], what: string): ZstdStream {
  let child: ChildProcessByStdio<Writable, Readable, Readable>;
  try {
    child = spawn('zstd', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e) {
    throw new SovraError('bad-config', `cannot run zstd (${(e as Error).message}); install it: apt-get install -y zstd`);
  }
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 4000) stderr += d.toString('utf8');
  });
  // A closed pipe on either side is reported through `done`, not as an unhandled error.
  child.stdin.on('error', () => undefined);
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (e: NodeJS.ErrnoException) => {
      reject(e.code === 'ENOENT' ? zstdMissing() : e);
    });
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(Object.assign(new Error(`zstd ${what} failed (${signal ?? `exit ${code}`}): ${stderr.trim().replace(/^zstd: /, '') || 'no message'}`), { code: 'EZSTD' }));
    });
  });
  done.catch(() => undefined);
  // Unread output would keep the process's pipes, hence its 'close', pending forever: a stop discards it.
  const kill = (): void => {
    child.stdout.destroy();
    child.stdin.destroy();
    child.kill('SIGKILL');
  };
  return { input: child.stdin, output: child.stdout, done, kill };
}

/** The error when zstd is not installed. */
export function zstdMissing(): SovraError {
  return new SovraError('bad-config', 'zstd is not installed; install it: apt-get install -y zstd (it writes and reads the bundle archive)');
}

/** How every bundle is compressed (level, workers); where the output goes is added by the caller. */
const COMPRESS: readonly string[] = ['-q', `-${ZSTD_LEVEL}`, '-T0', '--no-progress'];

/** zstd's arguments to compress its standard input to its standard output. */
export const ZSTD_COMPRESS_ARGS: readonly string[] = [...COMPRESS, '-c'];

/** Compresses what is written to `input` into the file `path` (zstd writes it itself: one pipe less). */
export function zstdCompressTo(path: string): ZstdStream {
  return run([...COMPRESS, '-f', '-o', path], 'compression');
}

/** Decompresses the file `path` to `output` (a corrupt or truncated file fails `done`). */
export function zstdDecompressFrom(path: string): ZstdStream {
  const z = run(['-q', '-d', '-c', '--no-progress', path], 'decompression');
  z.input.end();
  return z;
}

/** `zstd --version`, recorded in the bundle's provenance (the archive's bytes depend on it). */
export async function zstdVersion(): Promise<string> {
  const z = run(['--version'], 'version');
  z.input.end();
  let out = '';
  z.output.on('data', (d: Buffer) => (out += d.toString('utf8')));
  await z.done;
  return /v(\d+\.\d+\.\d+)/.exec(out)?.[1] ?? out.trim();
}
