/**
 * Writes the bundle's archive from a worker thread. The main thread keeps
 * fetching blobs while the archive is written, and a pipe to zstd moves
 * only as many bytes per event-loop turn as its buffer holds: on a main
 * thread busy with four downloads the archive crawled at a few tens of
 * MB/s and caught up only when the downloads ended. In its own thread the
 * writer's loop does nothing else. The main thread sends each entry (its
 * tar header, and its bytes or the file that holds them) when the file is
 * ready; the worker streams them in order through zstd into the archive,
 * hashing the files it is asked to check, and reads files into two
 * reused buffers (no allocation per chunk).
 */
import { rmSync, statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { SovraError } from '../../core/errors.js';
import { END_OF_ARCHIVE, fileHeader, padding } from './tar.js';
import { zstdCompressArgs, zstdMissing } from './zstd.js';

/** A file of the archive: its bytes, or where to read them, with its digest. */
export interface ArchiveFile {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
  readonly data?: Buffer;
  readonly file?: string;
  /** Re-hash while streaming: cache files not hashed in this run (a corrupt cache must not make a signed archive). */
  readonly check?: boolean;
  /** For a file still being fetched: settles when it is in place, to whether it must be re-hashed (replaces `check`). */
  readonly ready?: () => Promise<boolean>;
}

const CHUNK = 4 << 20;

// CommonJS source, so the worker runs from lib/ and under the test runner alike.
const WORKER = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const { createHash } = require('node:crypto');

const buffers = [Buffer.allocUnsafe(${CHUNK}), Buffer.allocUnsafe(${CHUNK})];
let failed = false;
const fail = (m) => {
  if (failed) return;
  failed = true;
  parentPort.postMessage({ failed: m });
};
let child;
try {
  child = spawn('zstd', workerData.args, { stdio: ['pipe', 'ignore', 'pipe'] });
  if (child.pid !== undefined) parentPort.postMessage({ pid: child.pid });
} catch (e) {
  fail({ kind: 'spawn', code: e.code, message: String(e.message) });
}
let stderr = '';
const exited = new Promise((resolve) => {
  if (!child) return resolve({ code: -1 });
  child.stderr.on('data', (d) => { if (stderr.length < 4000) stderr += d.toString('utf8'); });
  child.stdin.on('error', () => undefined);
  child.on('error', (e) => resolve({ error: e.code || String(e.message) }));
  child.on('close', (code, signal) => resolve({ code, signal }));
});
exited.then((r) => { if (r.error) fail({ kind: 'spawn', code: r.error, message: r.error }); });

const write = (data) => new Promise((resolve, reject) => child.stdin.write(data, (e) => (e ? reject(e) : resolve())));

async function entry(m) {
  await write(Buffer.from(m.header.buffer, m.header.byteOffset, m.header.byteLength));
  if (m.data) {
    if (m.data.byteLength > 0) await write(Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength));
  } else {
    const hash = m.sha256 ? createHash('sha256') : undefined;
    const fd = fs.openSync(m.file, 'r');
    let n = 0;
    let pending;
    let b = 0;
    try {
      for (;;) {
        const buf = buffers[b];
        const got = fs.readSync(fd, buf, 0, buf.length, null);
        if (got === 0) break;
        n += got;
        if (n > m.size) throw Object.assign(new Error(m.path + ' is longer than the ' + m.size + ' bytes announced'), { kind: 'size' });
        const chunk = buf.subarray(0, got);
        if (hash) hash.update(chunk);
        if (pending) await pending;
        pending = write(chunk);
        b = 1 - b;
      }
      if (pending) await pending;
    } finally {
      fs.closeSync(fd);
    }
    if (n !== m.size) throw Object.assign(new Error(m.path + ' has ' + n + ' bytes, ' + m.size + ' were announced'), { kind: 'size' });
    if (hash) {
      const got = hash.digest('hex');
      if (got !== m.sha256) throw Object.assign(new Error('mismatch'), { kind: 'mismatch', got });
    }
  }
  if (m.pad > 0) await write(Buffer.alloc(m.pad));
}

const queue = [];
let running = false;
async function pump() {
  if (running) return;
  running = true;
  while (queue.length > 0 && !failed) {
    const m = queue.shift();
    try {
      if (m.end) {
        await write(Buffer.from(m.end.buffer, m.end.byteOffset, m.end.byteLength));
        child.stdin.end();
        const r = await exited;
        if (r.error) return;
        if (r.code === 0) parentPort.postMessage({ done: true });
        else fail({ kind: 'zstd', message: 'zstd compression failed (' + (r.signal || 'exit ' + r.code) + '): ' + (stderr.trim().replace(/^zstd: /, '') || 'no message') });
      } else await entry(m);
    } catch (e) {
      fail({ kind: e.kind || 'io', path: m.path, file: m.file, got: e.got, message: String(e.message) });
    }
  }
  running = false;
}
parentPort.on('message', (m) => {
  queue.push(m);
  void pump();
});
`;

interface WorkerFailure {
  readonly kind: 'spawn' | 'zstd' | 'io' | 'size' | 'mismatch';
  readonly message: string;
  readonly code?: string;
  readonly path?: string;
  readonly file?: string;
  readonly got?: string;
}

function failureError(f: WorkerFailure, expected: Map<string, string>): Error {
  if (f.kind === 'spawn') {
    return f.code === 'ENOENT' ? zstdMissing() : new SovraError('bad-config', `cannot run zstd (${f.message}); install it: apt-get install -y zstd`);
  }
  if (f.kind === 'zstd') return Object.assign(new Error(f.message), { code: 'EZSTD' });
  if (f.kind === 'mismatch') {
    // A cache file that changed after it was verified: drop it so the next run fetches it again.
    rmSync(f.file!, { force: true });
    return new SovraError('failed-verification', `cache file ${f.file} (for ${f.path}) hashes to sha256:${f.got}, not sha256:${expected.get(f.path!)}: the cache was corrupted; it was removed, run the bundle again to fetch it anew.`);
  }
  return new Error(`tar: ${f.message}`);
}

/**
 * Streams `files` (in the order given) into a zstd-compressed tar at
 * `path`; resolves to its size. A file with `ready` is sent once it
 * settles; a failure of the writer or of a `ready` stops the archive
 * (the caller removes the partial file).
 */
export async function writeArchive(path: string, files: readonly ArchiveFile[], mtime: number): Promise<{ bytes: number }> {
  const worker = new Worker(WORKER, { eval: true, workerData: { args: zstdCompressArgs(path) } });
  const expected = new Map<string, string>();
  let settle!: { resolve: () => void; reject: (e: unknown) => void };
  const finished = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  finished.catch(() => undefined);
  let zstdPid: number | undefined;
  worker.on('message', (m: { pid?: number; done?: true; failed?: WorkerFailure }) => {
    if (m.pid !== undefined) zstdPid = m.pid;
    else if (m.done) settle.resolve();
    else if (m.failed) settle.reject(failureError(m.failed, expected));
  });
  worker.on('error', (e) => settle.reject(e));
  worker.on('exit', (code) => settle.reject(new Error(`the archive writer stopped (exit ${code})`)));
  try {
    for (const f of files) {
      const check = f.ready ? await Promise.race([f.ready(), finished.then(() => false)]) : f.check;
      if (check) expected.set(f.path, f.sha256);
      worker.postMessage({ path: f.path, header: fileHeader(f.path, f.size, mtime), data: f.data, file: f.file, size: f.size, pad: padding(f.size), sha256: check ? f.sha256 : undefined });
    }
    worker.postMessage({ end: END_OF_ARCHIVE });
    await finished;
  } catch (e) {
    // zstd is stopped here: a worker that is terminated leaves its child running.
    if (zstdPid !== undefined) {
      try {
        process.kill(zstdPid, 'SIGKILL');
      } catch {
        // it has exited already
      }
    }
    throw e;
  } finally {
    await worker.terminate();
  }
  return { bytes: statSync(path).size };
}
