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
 *
 * Layers and chart archives are compressed already: zstd would spend a
 * core trying and store them anyway. They go into the archive as zstd
 * frames of raw blocks written by the worker itself; the runs of other
 * files between them go through zstd, one frame per run, whose output
 * the worker writes into the archive. A zstd stream may hold any
 * sequence of frames, so any zstd reads the archive as one stream.
 *
 * The archive goes to disk with direct I/O (O_DIRECT) where the file
 * system takes it: it is written once, sequentially, and not read back by
 * this process, and through the page cache every one of its gigabytes
 * costs the kernel fresh pages (measured: 2 GiB of buffered writes 3.5-4.2
 * s of system CPU against 0.2 s direct, on the benchmark's VM) and leaves
 * that much dirty memory behind the bundle. Everything, zstd's frames
 * included, passes through two page-aligned 4 MiB staging buffers that
 * take turns: one is written in whole aligned pieces in the background
 * while the other fills (written in turn with the reading and hashing, the
 * writes had made this thread the last to finish, 0.3-0.6 s after the last
 * download; overlapped, 0.05-0.1 s after it). The unaligned tail, and
 * everything on a file system that refuses direct I/O, is written the
 * ordinary way. The bytes are the same either way.
 */
import { closeSync, rmSync, statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { SovraError } from '../../core/errors.js';
import { BLOCK, END_OF_ARCHIVE, fileHeader, padding } from './tar.js';
import { ZSTD_COMPRESS_ARGS, zstdMissing } from './zstd.js';

/** A file of the archive: its bytes, or where to read them, with its digest. */
export interface ArchiveFile {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
  readonly data?: Buffer;
  readonly file?: string;
  /** Re-hash while streaming: cache files not hashed in this run (a corrupt cache must not make a signed archive). */
  readonly check?: boolean;
  /**
   * For a file still being fetched: settles when it is in place, to whether
   * it must be re-hashed (replaces `check`), or to a file not hashed yet,
   * which the writer reads instead of `file`, hashes, and commits with its
   * SHA-256 (a mismatch is the commit's to report).
   */
  readonly ready?: () => Promise<boolean | UnhashedFile>;
  /** Compressed already (a gzip or zstd layer, a chart archive): stored in raw zstd blocks, not run through zstd. */
  readonly stored?: boolean;
}

/** A downloaded file not hashed yet (the cache's UnhashedBlob). */
export interface UnhashedFile {
  readonly file: string;
  commit(sha256: string): Promise<void>;
  abandon(): void;
}

const CHUNK = 4 << 20;
/** The archive's staging buffer: a multiple of any logical block size and of the 64 KiB pages of a WebAssembly memory. */
const STAGE = 4 << 20;

/**
 * Runs of compressible files smaller than this (together) are stored raw
 * too: a few kilobytes of JSON between two layers are not worth a zstd
 * process.
 */
export const SMALL_RUN = 64 << 10;

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

// The archive file: bytes are gathered in page-aligned buffers (a WebAssembly memory starts on a page)
// and written in whole pieces at aligned offsets through a direct descriptor; the tail, and everything
// when the file system refuses direct I/O (at open or at the first write), through the ordinary one.
// Two buffers take turns: one is written in the background (the thread pool) while the other fills, so
// the writes overlap the reading and hashing (written one at a time, they were a third of this
// thread's time and made it the last to finish). write() returns a promise when the caller must wait
// (the other buffer is still being written) before writing more.
const STAGE = ${STAGE};
class Output {
  constructor(path, direct) {
    this.fd = fs.openSync(path, 'w');
    this.direct = -1;
    if (direct) {
      try {
        this.direct = fs.openSync(path, fs.constants.O_WRONLY | fs.constants.O_DIRECT);
      } catch {
        // not on this file system
      }
    }
    // The main thread closes them if the worker is stopped before the end.
    parentPort.postMessage({ fds: [this.fd, this.direct].filter((d) => d >= 0) });
    const aligned = () => Buffer.from(new WebAssembly.Memory({ initial: STAGE >> 16, maximum: STAGE >> 16 }).buffer);
    this.stages = [aligned(), aligned()];
    this.cur = 0;
    this.stage = this.stages[0];
    // The background write of each buffer, while it runs.
    this.writing = [undefined, undefined];
    this.fill = 0;
    this.pos = 0;
    this.directBytes = 0;
  }
  write(data) {
    for (let at = 0; at < data.length; ) {
      const n = data.copy(this.stage, this.fill, at);
      this.fill += n;
      at += n;
      if (this.fill === STAGE) {
        const wait = this.flush();
        if (wait) return at < data.length ? wait.then(() => this.write(data.subarray(at))) : wait;
      }
    }
    return undefined;
  }
  // Starts writing the full buffer and turns to the other; a promise when that one is still being written.
  flush() {
    const i = this.cur;
    const p = this.writeAt(this.stage, this.fill, this.pos);
    this.writing[i] = p;
    p.then(() => {
      if (this.writing[i] === p) this.writing[i] = undefined;
    }, () => undefined);
    this.pos += this.fill;
    this.fill = 0;
    this.cur = 1 - i;
    this.stage = this.stages[this.cur];
    return this.writing[this.cur];
  }
  writeAt(buf, n, pos) {
    const all = (fd) =>
      new Promise((resolve, reject) => {
        const next = (done) => {
          if (done === n) return resolve();
          fs.write(fd, buf, done, n - done, pos + done, (e, wrote) => (e ? reject(e) : next(done + wrote)));
        };
        next(0);
      });
    if (this.direct < 0) return all(this.fd);
    return all(this.direct).then(
      () => {
        this.directBytes += n;
      },
      (e) => {
        if (e.code !== 'EINVAL') throw e;
        // Refused (alignment this device does not take, or no direct I/O after all): the ordinary way from here on.
        if (this.direct >= 0) fs.closeSync(this.direct);
        this.direct = -1;
        return all(this.fd);
      },
    );
  }
  async close() {
    await Promise.all(this.writing);
    if (this.direct >= 0) fs.closeSync(this.direct);
    this.direct = -1;
    for (let at = 0; at < this.fill; ) at += fs.writeSync(this.fd, this.stage, at, this.fill - at, this.pos + at);
    this.pos += this.fill;
    this.fill = 0;
    fs.closeSync(this.fd);
  }
}
const out = new Output(workerData.path, workerData.direct);

// The zstd process of the current run of compressible files; its frame comes back through its
// standard output into the archive.
let z;
function startZstd() {
  const child = spawn('zstd', workerData.args, { stdio: ['pipe', 'pipe', 'pipe'] });
  if (child.pid !== undefined) parentPort.postMessage({ pid: child.pid });
  let stderr = '';
  const broke = (e) => {
    fail({ kind: 'io', code: e.code, message: String(e.message) });
    child.kill('SIGKILL');
  };
  child.stdout.on('data', (d) => {
    try {
      const wait = out.write(d);
      if (wait) {
        // No more of zstd's output until the archive takes it.
        child.stdout.pause();
        wait.then(() => child.stdout.resume(), broke);
      }
    } catch (e) {
      broke(e);
    }
  });
  const exited = new Promise((resolve) => {
    child.stderr.on('data', (d) => { if (stderr.length < 4000) stderr += d.toString('utf8'); });
    child.stdin.on('error', () => undefined);
    child.on('error', (e) => resolve({ error: e.code || String(e.message) }));
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  exited.then((r) => { if (r.error) fail({ kind: 'spawn', code: r.error, message: r.error }); });
  z = { child, exited, stderr: () => stderr };
}
// Throws what went wrong with a zstd that has exited (nothing when it succeeded).
async function zstdOutcome(cur) {
  const r = await cur.exited;
  if (r.error) throw Object.assign(new Error(r.error), { kind: 'spawn', code: r.error });
  if (r.code !== 0) throw Object.assign(new Error('zstd compression failed (' + (r.signal || 'exit ' + r.code) + '): ' + (cur.stderr().trim().replace(/^zstd: /, '') || 'no message')), { kind: 'zstd' });
}
async function endZstd() {
  if (!z) return;
  const cur = z;
  z = undefined;
  cur.child.stdin.end();
  await zstdOutcome(cur);
}
async function toZstd(data) {
  const cur = z;
  try {
    await new Promise((resolve, reject) => cur.child.stdin.write(data, (e) => (e ? reject(e) : resolve())));
  } catch (e) {
    // A closed pipe: zstd failed or could not start; say why.
    await zstdOutcome(cur);
    throw e;
  }
}

// A zstd frame of raw (stored) blocks: magic number, a frame header with a 128 KiB window and
// neither content size nor checksum (the archive's files carry SHA-256 digests), then blocks of
// at most 128 KiB, each behind its 3-byte header (size, type raw, last-block flag).
const RAW_BLOCK = 128 << 10;
class RawFrame {
  constructor(total) {
    this.left = total;
    this.inBlock = 0;
    this.started = false;
  }
  async add(data) {
    if (!this.started) {
      this.started = true;
      const wait = out.write(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38]));
      if (wait) await wait;
    }
    for (let at = 0; at < data.length; ) {
      if (this.inBlock === 0) {
        const size = Math.min(RAW_BLOCK, this.left);
        this.left -= size;
        this.inBlock = size;
        const h = (size << 3) | (this.left === 0 ? 1 : 0);
        const wait = out.write(Buffer.from([h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff]));
        if (wait) await wait;
      }
      const take = Math.min(this.inBlock, data.length - at);
      const wait = out.write(data.subarray(at, at + take));
      if (wait) await wait;
      at += take;
      this.inBlock -= take;
    }
  }
}

const view = (u) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

async function entry(m) {
  const header = view(m.header);
  let frame;
  let put;
  if (m.raw) {
    await endZstd();
    frame = new RawFrame(header.length + m.size + m.pad);
    put = async (data) => frame.add(data);
  } else {
    if (!z) startZstd();
    put = toZstd;
  }
  await put(header);
  if (m.data) {
    if (m.data.byteLength > 0) await put(view(m.data));
  } else {
    const hash = m.sha256 || m.report ? createHash('sha256') : undefined;
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
        pending = put(chunk);
        b = 1 - b;
      }
      if (pending) await pending;
    } finally {
      fs.closeSync(fd);
    }
    if (n !== m.size) throw Object.assign(new Error(m.path + ' has ' + n + ' bytes, ' + m.size + ' were announced'), { kind: 'size' });
    if (hash) {
      const got = hash.digest('hex');
      if (m.report) parentPort.postMessage({ hashed: m.path, sha256: got });
      else if (got !== m.sha256) throw Object.assign(new Error('mismatch'), { kind: 'mismatch', got });
    }
  }
  if (m.pad > 0) await put(Buffer.alloc(m.pad));
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
        const end = view(m.end);
        if (z) {
          await toZstd(end);
          await endZstd();
        } else await new RawFrame(end.length).add(end);
        await out.close();
        parentPort.postMessage({ done: true, direct: out.directBytes });
      } else {
        await entry(m);
        if (workerData.written) parentPort.postMessage({ written: m.path });
      }
    } catch (e) {
      fail({ kind: e.kind || 'io', code: e.code, path: m.path, file: m.file, got: e.got, message: String(e.message) });
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
 * Which files are stored in raw zstd blocks: those marked `stored`
 * (compressed already), and every run of other files between them that
 * is smaller than SMALL_RUN in all. The rest is compressed, one zstd
 * frame per run. Depends only on the files' order, sizes and marks, so
 * the same files give the same archive.
 */
export function rawPlan(files: readonly Pick<ArchiveFile, 'path' | 'size' | 'stored'>[]): boolean[] {
  const raw = files.map((f) => f.stored === true);
  for (let i = 0; i < files.length; ) {
    if (raw[i]) {
      i++;
      continue;
    }
    let j = i;
    let bytes = 0;
    while (j < files.length && !files[j]!.stored) {
      bytes += BLOCK + files[j]!.size + padding(files[j]!.size);
      j++;
    }
    if (bytes < SMALL_RUN) for (let k = i; k < j; k++) raw[k] = true;
    i = j;
  }
  return raw;
}

/**
 * Streams `files` (in the order given) into a zstd-compressed tar at
 * `path`; resolves to its size. Files marked `stored` (and short runs of
 * others between them, see rawPlan) go in as raw zstd blocks; the rest
 * through zstd, one frame per run. A file with `ready` is sent once it
 * settles; a failure of the writer or of a `ready` stops the archive
 * (the caller removes the partial file). `directBytes`: how many bytes
 * went to disk with direct I/O (0 where the file system refuses it, or
 * with `directIo: false`).
 */
export async function writeArchive(
  path: string,
  files: readonly ArchiveFile[],
  mtime: number,
  options: {
    readonly directIo?: boolean;
    /** Told the path of each file once the writer has read all of it (its source may go). */
    readonly onWritten?: (path: string) => void;
  } = {},
): Promise<{ bytes: number; directBytes: number }> {
  const worker = new Worker(WORKER, { eval: true, workerData: { args: ZSTD_COMPRESS_ARGS, path, direct: options.directIo ?? true, written: options.onWritten !== undefined } });
  const expected = new Map<string, string>();
  let settle!: { resolve: () => void; reject: (e: unknown) => void };
  const finished = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  finished.catch(() => undefined);
  let zstdPid: number | undefined;
  let fds: number[] = [];
  let done = false;
  let directBytes = 0;
  // Files the worker hashes for their owner, and the commits of those it has hashed.
  const unhashed = new Map<string, UnhashedFile>();
  const commits: Promise<void>[] = [];
  worker.on('message', (m: { pid?: number; fds?: number[]; done?: true; direct?: number; failed?: WorkerFailure; hashed?: string; sha256?: string; written?: string }) => {
    if (m.written !== undefined) options.onWritten?.(m.written);
    else if (m.hashed !== undefined) {
      const c = unhashed.get(m.hashed)!.commit(m.sha256!);
      c.catch((e: unknown) => settle.reject(e));
      commits.push(c);
    } else if (m.pid !== undefined) zstdPid = m.pid;
    else if (m.fds !== undefined) fds = m.fds;
    else if (m.done) {
      done = true;
      directBytes = m.direct ?? 0;
      settle.resolve();
    } else if (m.failed) settle.reject(failureError(m.failed, expected));
  });
  worker.on('error', (e) => settle.reject(e));
  worker.on('exit', (code) => settle.reject(new Error(`the archive writer stopped (exit ${code})`)));
  const raw = rawPlan(files);
  try {
    for (const [i, f] of files.entries()) {
      const ready = f.ready ? await Promise.race([f.ready(), finished.then(() => false)]) : f.check;
      const later = typeof ready === 'object' ? ready : undefined;
      if (later) unhashed.set(f.path, later);
      const check = ready === true;
      if (check) expected.set(f.path, f.sha256);
      worker.postMessage({ path: f.path, header: fileHeader(f.path, f.size, mtime), data: f.data, file: later?.file ?? f.file, size: f.size, pad: padding(f.size), sha256: check ? f.sha256 : undefined, report: later !== undefined, raw: raw[i] });
    }
    worker.postMessage({ end: END_OF_ARCHIVE });
    await finished;
    await Promise.all(commits);
  } catch (e) {
    // What was handed over and not hashed stays a partial download (committed ones are in the cache).
    for (const u of unhashed.values()) u.abandon();
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
    // The worker's descriptors of the archive outlive it (descriptors belong to the process).
    if (!done) {
      for (const fd of fds) {
        try {
          closeSync(fd);
        } catch {
          // closed already
        }
      }
    }
  }
  return { bytes: statSync(path).size, directBytes };
}
