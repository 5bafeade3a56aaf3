/**
 * A tar writer and reader for the bundle, written here rather than taken
 * from a package because every header byte must be fixed for the archive
 * to be reproducible: ustar headers with mode 0644, owner 0:0 without
 * names, one modification time (SOURCE_DATE_EPOCH), no directory entries,
 * and a PAX `path`/`size` record only where ustar cannot hold the value.
 * Both sides stream: a file's bytes pass through in chunks, never whole.
 * The reader accepts only what the writer writes (regular files and PAX
 * headers, and directories, which it ignores) and refuses paths that leave
 * the archive's root.
 */
import type { Readable, Writable } from 'node:stream';
import { release } from '../../core/pool.js';
import { writeChunk } from '../../core/streams.js';

/** Size of a tar block (a header, and the unit bodies are padded to). */
export const BLOCK = 512;
const USTAR_MAX_SIZE = 0o77777777777; // 11 octal digits

/** A path that stays inside the archive root. */
export function safeArchivePath(path: string): boolean {
  return path !== '' && !path.startsWith('/') && !path.includes('\\') && !path.includes('\0') && path.split('/').every((p) => p !== '' && p !== '.' && p !== '..');
}

function octal(value: number, width: number): string {
  // width includes the terminating NUL.
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function writeString(buf: Buffer, offset: number, width: number, value: string): void {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > width) throw new Error(`tar: ${value} does not fit ${width} bytes`);
  bytes.copy(buf, offset);
}

/** Splits a path into ustar prefix and name, if it fits. */
function splitUstar(path: string): { prefix: string; name: string } | undefined {
  if (Buffer.byteLength(path) <= 100) return { prefix: '', name: path };
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name !== '') return { prefix, name };
  }
  return undefined;
}

function header(name: string, prefix: string, size: number, mtime: number, type: string): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  writeString(h, 0, 100, name);
  writeString(h, 100, 8, octal(0o644, 8));
  writeString(h, 108, 8, octal(0, 8));
  writeString(h, 116, 8, octal(0, 8));
  writeString(h, 124, 12, octal(size, 12));
  writeString(h, 136, 12, octal(mtime, 12));
  h.fill(0x20, 148, 156); // checksum field counts as spaces
  writeString(h, 156, 1, type);
  writeString(h, 257, 6, 'ustar\0');
  writeString(h, 263, 2, '00');
  writeString(h, 345, 155, prefix);
  let sum = 0;
  for (const b of h) sum += b;
  writeString(h, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return h;
}

/** One PAX record, `<length> <key>=<value>\n`, whose length counts itself. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

/** The header blocks of a regular file (a PAX header first when ustar cannot hold its path or size). */
export function fileHeader(path: string, size: number, mtime: number): Buffer {
  if (!safeArchivePath(path)) throw new Error(`tar: unsafe path ${path}`);
  const split = splitUstar(path);
  const records: string[] = [];
  if (!split) records.push(paxRecord('path', path));
  if (size > USTAR_MAX_SIZE) records.push(paxRecord('size', String(size)));
  const main = header(split?.name ?? path.split('/').pop()!.slice(0, 100), split?.prefix ?? '', size > USTAR_MAX_SIZE ? 0 : size, mtime, '0');
  if (records.length === 0) return main;
  const pax = Buffer.from(records.join(''), 'utf8');
  const paxName = `PaxHeaders/${path.split('/').pop()!}`.slice(0, 100);
  return Buffer.concat([header(paxName, '', pax.length, mtime, 'x'), pax, Buffer.alloc(padding(pax.length)), main]);
}

/** Zero bytes that fill the last block of `size` bytes. */
export function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/** The end of an archive: two zero blocks. */
export const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK, 0);

/** Writes a tar stream entry by entry. */
export class TarWriter {
  /** Bytes written so far. */
  bytes = 0;

  constructor(
    private readonly out: Writable,
    private readonly mtime: number,
  ) {}

  private async put(data: Buffer): Promise<void> {
    this.bytes += data.length;
    await writeChunk(this.out, data);
  }

  /**
   * Adds a regular file of `size` bytes. `content` is the bytes or a stream
   * of exactly that many; `onChunk` sees each chunk (to hash it on the way).
   */
  async add(path: string, size: number, content: Buffer | Readable, onChunk?: (chunk: Buffer) => void): Promise<void> {
    await this.put(fileHeader(path, size, this.mtime));
    let n = 0;
    if (Buffer.isBuffer(content)) {
      onChunk?.(content);
      n = content.length;
      if (content.length > 0) await this.put(content);
    } else {
      for await (const chunk of content) {
        const c = chunk as Buffer;
        n += c.length;
        if (n > size) throw new Error(`tar: ${path} is longer than the ${size} bytes announced`);
        onChunk?.(c);
        await this.put(c);
      }
    }
    if (n !== size) throw new Error(`tar: ${path} has ${n} bytes, ${size} were announced`);
    const pad = padding(size);
    if (pad > 0) await this.put(Buffer.alloc(pad));
  }

  /** Writes the end-of-archive blocks. */
  async finish(): Promise<void> {
    await this.put(END_OF_ARCHIVE);
  }
}

/** Why an archive cannot be read. */
export class TarFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TarFormatError';
  }
}

/** A file of an archive being read; `body` must be consumed (or is skipped) before the next entry. */
export interface TarEntry {
  readonly path: string;
  readonly size: number;
  readonly body: AsyncIterable<Buffer>;
}

function parseOctal(buf: Buffer, offset: number, width: number): number {
  const text = buf.subarray(offset, offset + width).toString('latin1').replace(/[\0 ]+$/g, '').replace(/^[ ]+/, '');
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarFormatError(`bad octal field ${JSON.stringify(text)}`);
  return parseInt(text, 8);
}

function cString(buf: Buffer, offset: number, width: number): string {
  const slice = buf.subarray(offset, offset + width);
  const end = slice.indexOf(0);
  return slice.subarray(0, end < 0 ? width : end).toString('utf8');
}

function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space < 0) throw new TarFormatError('bad PAX record');
    const len = Number(data.subarray(at, space).toString('latin1'));
    if (!Number.isSafeInteger(len) || len <= 0 || at + len > data.length) throw new TarFormatError('bad PAX record length');
    const record = data.subarray(space + 1, at + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq < 0) throw new TarFormatError('bad PAX record');
    out[record.slice(0, eq)] = record.slice(eq + 1);
    at += len;
  }
  return out;
}

/** Reads exactly the bytes asked for from a chunk stream. */
class ByteSource {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private done = false;
  private readonly it: AsyncIterator<Buffer>;

  constructor(stream: AsyncIterable<Buffer | string>) {
    this.it = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  }

  private async fill(n: number): Promise<boolean> {
    while (this.buffered < n && !this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else {
        this.chunks.push(r.value);
        this.buffered += r.value.length;
      }
    }
    return this.buffered >= n;
  }

  /** Exactly `n` bytes, or undefined at the end of the stream. */
  async read(n: number): Promise<Buffer | undefined> {
    if (!(await this.fill(n))) return undefined;
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const c = this.chunks[0]!;
      const take = Math.min(c.length, n - at);
      c.copy(out, at, 0, take);
      // Copied: the bytes go back to their pool, if they came from one (core/pool.ts).
      release(c.subarray(0, take));
      at += take;
      if (take === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(take);
    }
    this.buffered -= n;
    return out;
  }

  /** Stops the stream early (a generator runs its cleanup). */
  async close(): Promise<void> {
    if (!this.done) {
      this.done = true;
      await this.it.return?.();
    }
  }

  /**
   * Reads the stream to its end, so the stream ends (a stream left with
   * unread bytes never emits 'end', and a child process whose output it is
   * never emits 'close'); what is left must be zero bytes (the
   * end-of-archive padding), nothing that no entry covers.
   */
  async drain(): Promise<void> {
    const check = (c: Buffer): void => {
      if (c.some((b) => b !== 0)) throw new TarFormatError('the archive holds data after its end-of-archive blocks');
    };
    this.chunks.forEach(check);
    this.chunks = [];
    this.buffered = 0;
    while (!this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else check(r.value);
    }
  }

  /** Up to `max` bytes as they come (at least 1), or undefined at the end. */
  async some(max: number): Promise<Buffer | undefined> {
    if (!(await this.fill(1))) return undefined;
    const c = this.chunks[0]!;
    if (c.length <= max) {
      this.chunks.shift();
      this.buffered -= c.length;
      return c;
    }
    this.chunks[0] = c.subarray(max);
    this.buffered -= max;
    return c.subarray(0, max);
  }
}

/**
 * The files of a tar stream, in order. Throws TarFormatError on a header
 * whose checksum is wrong, an entry type other than a regular file, PAX
 * header or directory, an unsafe path, or a stream that ends early.
 * Reads the stream to its end, past the end-of-archive blocks, which only
 * zero bytes may follow.
 */
export async function* readTar(stream: AsyncIterable<Buffer | string>): AsyncGenerator<TarEntry> {
  const src = new ByteSource(stream);
  try {
    yield* entries(src);
  } finally {
    // A reader that stops early (or fails) stops the stream too.
    await src.close();
  }
}

async function* entries(src: ByteSource): AsyncGenerator<TarEntry> {
  let pax: Record<string, string> = {};
  for (;;) {
    const h = await src.read(BLOCK);
    if (!h) throw new TarFormatError('the archive ends without its end-of-archive blocks');
    if (h.every((b) => b === 0)) {
      await src.drain();
      return;
    }
    const stored = parseOctal(h, 148, 8);
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
    if (sum !== stored) throw new TarFormatError('a header checksum is wrong');
    const type = String.fromCharCode(h[156]!);
    let size = parseOctal(h, 124, 12);
    if (type === 'x') {
      const data = await src.read(size + padding(size));
      if (!data) throw new TarFormatError('the archive ends inside a PAX header');
      pax = parsePax(data.subarray(0, size));
      continue;
    }
    const prefix = cString(h, 345, 155);
    const name = cString(h, 0, 100);
    const path = (pax.path ?? (prefix ? `${prefix}/${name}` : name)).replace(/\/$/, '');
    if (pax.size !== undefined) size = Number(pax.size);
    pax = {};
    if (type === '5') {
      if (size !== 0) throw new TarFormatError(`directory ${path} has a size`);
      continue;
    }
    if (type !== '0' && type !== '\0') throw new TarFormatError(`entry ${path} is of type ${JSON.stringify(type)}, not a regular file`);
    if (!safeArchivePath(path)) throw new TarFormatError(`entry ${JSON.stringify(path)} is not a safe relative path`);
    let left = size;
    let consumed = false;
    const body: AsyncIterable<Buffer> = {
      [Symbol.asyncIterator]: async function* () {
        if (consumed) throw new Error(`tar: body of ${path} read twice`);
        consumed = true;
        while (left > 0) {
          const c = await src.some(Math.min(left, 1 << 20));
          if (!c) throw new TarFormatError(`the archive ends inside ${path}`);
          left -= c.length;
          yield c;
        }
      },
    };
    yield { path, size, body };
    if (!consumed) for await (const _ of body) void _;
    else if (left > 0) throw new Error(`tar: body of ${path} was not read to its end`);
    const pad = padding(size);
    if (pad > 0 && !(await src.read(pad))) throw new TarFormatError(`the archive ends inside ${path}`);
  }
}
