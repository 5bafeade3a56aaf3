/**
 * Reads a bundle archive's zstd stream frame by frame (RFC 8878). The
 * frames of raw blocks that the archive writer stores compressed data in
 * (archive-writer.ts) are read here, straight from the file: their bytes
 * are the file's, 128 KiB at a time behind 3-byte block headers, and a
 * zstd process would only copy them through a pipe. Any other frame is
 * passed, exactly its bytes, to `zstd -d`, which checks its checksum.
 * Errors carry code EZSTD and say where in the file the stream broke.
 *
 * The file is read with direct I/O where the file system takes it, into
 * two reused page-aligned buffers, and what is handed out is copied from
 * them into pooled 1 MiB pieces (see zstdFileChunks). Measured on the
 * benchmark's VM, loading 2 GiB: 5.0-6.2 s of process CPU against 6.4-9.8 s
 * through a `zstd -d` pipe, and with the pool 3.6 s and 110 MiB of peak RSS
 * against 5.0-5.6 s and 180-190 MiB with a fresh piece each time. (A first
 * version that read into a fresh 4 MiB buffer each time and handed out
 * slices cost more than the pipe: fresh memory is what is expensive there.)
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { alignedBuffer } from '../../core/aligned.js';
import { PiecePool } from '../../core/pool.js';
import { zstdMissing } from './zstd.js';

const MAGIC = 0xfd2fb528;
/** Frame header descriptor and window descriptor of a stored frame: no content size, no checksum, no dictionary, a 128 KiB window. */
const STORED_FHD = 0x00;
const STORED_WD = 0x38;
const READ_BYTES = 4 << 20;

function broken(message: string): Error {
  return Object.assign(new Error(message), { code: 'EZSTD' });
}

/**
 * A file read ahead into two buffers that take turns (one is read into
 * while the other is handed out); what it hands out is a copy, so the
 * buffers are reused and no fresh memory is asked of the system per read.
 */
class FileReader {
  private readonly buffers = [alignedBuffer(READ_BYTES), alignedBuffer(READ_BYTES)];
  private turn = 0;
  /** File offset of the next read (a multiple of READ_BYTES until the end). */
  private next = 0;
  private buf: Buffer = Buffer.alloc(0);
  private at = 0;
  /** Offset in the file of `buf[0]`. */
  private base = 0;
  private ahead: Promise<Buffer> | undefined;
  private eof = false;

  private constructor(
    private readonly fh: FileHandle,
    private direct: FileHandle | undefined,
  ) {}

  /**
   * Opens `path`, with a second descriptor for direct I/O where the file
   * system takes it: the archive is read once, in order, and a cold
   * archive (carried to the site) read through the page cache would cost
   * the kernel a fresh page for every 4 KiB of it.
   */
  static async open(path: string): Promise<FileReader> {
    const fh = await open(path, 'r');
    let direct: FileHandle | undefined;
    try {
      direct = await open(path, constants.O_RDONLY | constants.O_DIRECT);
    } catch {
      // not on this file system: the ordinary way
    }
    return new FileReader(fh, direct);
  }

  async close(): Promise<void> {
    await this.stop();
    await this.direct?.close();
    await this.fh.close();
  }

  /** Offset in the file of the next byte. */
  get offset(): number {
    return this.base + this.at;
  }

  private readNext(): Promise<Buffer> {
    const b = this.buffers[this.turn]!;
    this.turn = 1 - this.turn;
    const at = this.next;
    return this.readAt(b, at).then((n) => {
      this.next = at + n;
      return b.subarray(0, n);
    });
  }

  private async readAt(b: Buffer, at: number): Promise<number> {
    if (this.direct) {
      try {
        return (await this.direct.read(b, 0, b.length, at)).bytesRead;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EINVAL') throw e;
        // Refused: the ordinary way from here on.
        const d = this.direct;
        this.direct = undefined;
        await d.close();
      }
    }
    return (await this.fh.read(b, 0, b.length, at)).bytesRead;
  }

  /** Makes at least one byte available; false at the end of the file. */
  private async more(): Promise<boolean> {
    if (this.at < this.buf.length) return true;
    if (this.eof) return false;
    const next = await (this.ahead ?? this.readNext());
    this.ahead = undefined;
    this.base += this.buf.length;
    this.buf = next;
    this.at = 0;
    if (next.length === 0) {
      this.eof = true;
      return false;
    }
    this.ahead = this.readNext();
    return true;
  }

  /** Whether the file has more bytes. */
  async atEnd(): Promise<boolean> {
    return !(await this.more());
  }

  /** Up to `max` bytes (at least one), a copy of what the current buffer holds. */
  async some(max: number, what: string): Promise<Buffer> {
    if (!(await this.more())) throw broken(`the archive ends inside ${what} (byte ${this.offset})`);
    const n = Math.min(max, this.buf.length - this.at);
    const out = Buffer.allocUnsafe(n);
    this.buf.copy(out, 0, this.at, this.at + n);
    this.at += n;
    return out;
  }

  /** Copies exactly `n` bytes into `dst` at `at`. */
  async copyInto(dst: Buffer, at: number, n: number, what: string): Promise<void> {
    while (n > 0) {
      if (!(await this.more())) throw broken(`the archive ends inside ${what} (byte ${this.offset})`);
      const k = this.buf.copy(dst, at, this.at, this.at + Math.min(n, this.buf.length - this.at));
      this.at += k;
      at += k;
      n -= k;
    }
  }

  /** Exactly `n` bytes (small reads: headers). */
  async exactly(n: number, what: string): Promise<Buffer> {
    const first = await this.some(n, what);
    if (first.length === n) return first;
    const parts = [first];
    let got = first.length;
    while (got < n) {
      const p = await this.some(n - got, what);
      parts.push(p);
      got += p.length;
    }
    return Buffer.concat(parts, n);
  }

  /** Stops reading ahead (a read in flight is waited for, so the file can be closed). */
  async stop(): Promise<void> {
    await this.ahead?.catch(() => undefined);
    this.ahead = undefined;
  }
}

/** A block's header, read. */
interface Block {
  readonly header: Buffer;
  readonly type: number;
  /** Bytes of content in the file (1 for an RLE block). */
  readonly stored: number;
  /** Bytes it decodes to. */
  readonly size: number;
  readonly last: boolean;
}

async function blockHeader(r: FileReader): Promise<Block> {
  const at = r.offset;
  const header = await r.exactly(3, 'a block header');
  const h = header[0]! | (header[1]! << 8) | (header[2]! << 16);
  const type = (h >> 1) & 3;
  const size = h >> 3;
  if (type === 3) throw broken(`a reserved block type at byte ${at}`);
  return { header, type, size, stored: type === 1 ? 1 : size, last: (h & 1) === 1 };
}

/**
 * The decompressed bytes of the zstd file at `path`, as they come. The
 * contents of stored frames come in pooled pieces: a consumer that is done
 * with a chunk may give it back with core/pool.ts's `release` (the load's
 * uploads do, once the socket has it), and its memory is handed out again.
 */
export async function* zstdFileChunks(path: string): AsyncGenerator<Buffer> {
  const r = await FileReader.open(path);
  const pool = new PiecePool(OUT_BYTES, KEEP_PIECES);
  try {
    while (!(await r.atEnd())) {
      const start = r.offset;
      const head = await r.exactly(4, 'a frame header');
      const magic = head.readUInt32LE(0);
      if (magic >>> 4 === 0x184d2a5) {
        // A skippable frame: its size, then bytes no decoder reads.
        let left = (await r.exactly(4, 'a skippable frame')).readUInt32LE(0);
        while (left > 0) left -= (await r.some(left, 'a skippable frame')).length;
        continue;
      }
      if (magic !== MAGIC) throw broken(`no zstd frame at byte ${start} (not a zstd stream, or damaged)`);
      const fhd = (await r.exactly(1, 'a frame header'))[0]!;
      if (fhd & 0x08) throw broken(`a frame header with its reserved bit set at byte ${start}`);
      const single = (fhd >> 5) & 1;
      const rest = (single ? 0 : 1) + [0, 1, 2, 4][fhd & 3]! + [single ? 1 : 0, 2, 4, 8][fhd >> 6]!;
      const descriptor = await r.exactly(rest, 'a frame header');
      if (fhd === STORED_FHD && descriptor[0] === STORED_WD) {
        yield* storedFrame(r, start, pool);
      } else {
        yield* zstdFrame(r, Buffer.concat([head, Buffer.from([fhd]), descriptor]), ((fhd >> 2) & 1) === 1);
      }
    }
  } finally {
    await r.close();
  }
}

/** Bytes of a stored frame handed out at a time: its blocks' contents, gathered (uploads write them to a socket as they are). */
const OUT_BYTES = 1 << 20;
/** Pieces kept for reuse: about what a load holds in flight (its 32 MiB buffer and the sockets' queues). */
const KEEP_PIECES = 48;

/**
 * The blocks of a stored frame, read here, their contents gathered into
 * pieces of OUT_BYTES from `pool` (core/pool.ts: a consumer that is done
 * with a chunk may `release` it, and its memory is reused).
 */
async function* storedFrame(r: FileReader, start: number, pool: PiecePool): AsyncGenerator<Buffer> {
  let out = pool.take();
  let fill = 0;
  for (;;) {
    const at = r.offset;
    const b = await blockHeader(r);
    if (b.type === 2) throw broken(`a compressed block at byte ${at} in a frame of stored blocks (byte ${start}): the archive was not written by sovra bundle`);
    if (b.size > 128 << 10) throw broken(`a block of ${b.size} bytes at byte ${at}, more than 128 KiB`);
    const byte = b.type === 1 ? (await r.exactly(1, 'a block'))[0]! : 0;
    for (let left = b.size; left > 0; ) {
      const n = Math.min(left, OUT_BYTES - fill);
      if (b.type === 1) out.fill(byte, fill, fill + n);
      else await r.copyInto(out, fill, n, 'a block');
      fill += n;
      left -= n;
      if (fill === OUT_BYTES) {
        pool.handOut(out, fill);
        yield out;
        out = pool.take();
        fill = 0;
      }
    }
    if (b.last) {
      pool.handOut(out, fill);
      if (fill > 0) yield out.subarray(0, fill);
      return;
    }
  }
}

/** A frame zstd compressed: its exact bytes through `zstd -d`. */
async function* zstdFrame(r: FileReader, header: Buffer, checksum: boolean): AsyncGenerator<Buffer> {
  const child = spawn('zstd', ['-q', '-d', '-c', '--no-progress'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 4000) stderr += d.toString('utf8');
  });
  child.stdin.on('error', () => undefined);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: NodeJS.ErrnoException }>((resolve) => {
    child.on('error', (error: NodeJS.ErrnoException) => resolve({ code: null, signal: null, error }));
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  const write = (b: Buffer): Promise<void> => new Promise((resolve, reject) => child.stdin.write(b, (e) => (e ? reject(e) : resolve())));
  // Feeds the frame, block by block (the block headers say where it ends), while its output is read.
  let feedError: unknown;
  const feeding = (async () => {
    try {
      await write(header);
      for (;;) {
        const b = await blockHeader(r);
        await write(b.header);
        for (let left = b.stored; left > 0; ) {
          const c = await r.some(left, 'a block');
          left -= c.length;
          await write(c);
        }
        if (b.last) break;
      }
      if (checksum) await write(await r.exactly(4, 'a frame checksum'));
      child.stdin.end();
    } catch (e) {
      feedError ??= e;
      child.stdin.destroy();
    }
  })();
  let finished = false;
  try {
    for await (const c of child.stdout) yield c as Buffer;
    await feeding;
    const x = await exited;
    if (x.error) throw x.error.code === 'ENOENT' ? zstdMissing() : x.error;
    // The frame's own bytes ran out (a truncated file): that, not zstd's complaint about its short input.
    if (feedError && (feedError as { code?: string }).code === 'EZSTD') throw feedError;
    if (x.code !== 0) throw broken(`zstd decompression failed (${x.signal ?? `exit ${x.code}`}): ${stderr.trim().replace(/^zstd: /, '') || 'no message'}`);
    if (feedError) throw feedError;
    finished = true;
  } finally {
    if (!finished) {
      child.stdout.destroy();
      child.stdin.destroy();
      child.kill('SIGKILL');
      await feeding;
      await exited;
    }
  }
}
