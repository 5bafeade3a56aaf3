/**
 * Reads the header of a GGUF file (metadata and tensor table) without
 * trusting any count or length in it: every read is bounds-checked against
 * the file, so a truncated or malformed file gives a SovraError naming what
 * is wrong instead of reaching llama.cpp.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { SovraError } from '../../core/errors.js';
import { GGML_TYPES, GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GGUF_SCALAR_SIZE, GGUF_VERSIONS, GgufType } from './format.js';

/** A metadata value as read: numbers (64-bit integers as bigint), booleans, strings or arrays of those. */
export type GgufValue = number | bigint | boolean | string | GgufValue[];

/** One entry of the tensor table. */
export interface GgufTensorInfo {
  readonly name: string;
  /** Dimensions in ggml order (innermost first). */
  readonly dims: readonly number[];
  /** ggml type code. */
  readonly type: number;
  /** Offset of the data, relative to the start of the data section. */
  readonly offset: number;
  /** Bytes of data. */
  readonly size: number;
}

/** The parsed header of a GGUF file. */
export interface GgufHeader {
  readonly version: number;
  readonly metadata: ReadonlyMap<string, GgufValue>;
  readonly tensors: readonly GgufTensorInfo[];
  /** Absolute offset of the tensor data section. */
  readonly dataOffset: number;
  /** Size of the whole file in bytes. */
  readonly fileSize: number;
}

/** Upper bounds that keep a hostile header from allocating without limit. */
const MAX_KV = 1 << 20;
const MAX_TENSORS = 1 << 20;
const MAX_DIMS = 4;

/** Reads a file on demand, growing one buffer; every read past the end is an error naming the field. */
class Source {
  private buf = Buffer.alloc(0);
  constructor(private readonly fd: number, readonly size: number, private readonly file: string) {}

  bytes(pos: number, n: number, what: string): Buffer {
    if (!Number.isSafeInteger(pos + n) || pos + n > this.size) {
      throw new SovraError('bad-input', `${this.file} is not a valid GGUF model: the file ends inside ${what} (at byte ${pos}, file size ${this.size}); it is truncated or malformed.`);
    }
    if (pos + n > this.buf.length) {
      const want = Math.min(this.size, Math.max(pos + n, this.buf.length * 2, 1 << 20));
      const next = Buffer.alloc(want);
      this.buf.copy(next);
      let at = this.buf.length;
      while (at < want) {
        const got = readSync(this.fd, next, at, want - at, at);
        if (got === 0) break;
        at += got;
      }
      this.buf = next.subarray(0, at);
      if (pos + n > at) {
        throw new SovraError('bad-input', `${this.file} changed while it was read (${what} at byte ${pos} is gone).`);
      }
    }
    return this.buf.subarray(pos, pos + n);
  }
}

/** Sequential reader over a Source. */
class Cursor {
  pos = 0;
  constructor(private readonly src: Source, private readonly file: string) {}

  fail(message: string): never {
    throw new SovraError('bad-input', `${this.file} is not a valid GGUF model: ${message}.`);
  }
  u32(what: string): number { const v = this.src.bytes(this.pos, 4, what).readUInt32LE(0); this.pos += 4; return v; }
  u64(what: string): number {
    const v = this.src.bytes(this.pos, 8, what).readBigUInt64LE(0);
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`${what} is ${v}, beyond any real file`);
    return Number(v);
  }
  str(what: string): string {
    const len = this.u64(`the length of ${what}`);
    const b = this.src.bytes(this.pos, len, what);
    this.pos += len;
    return b.toString('utf8');
  }
  scalar(type: number, what: string): GgufValue {
    const size = GGUF_SCALAR_SIZE[type];
    if (size === undefined) this.fail(`${what} has unknown value type ${type}`);
    const b = this.src.bytes(this.pos, size, what);
    this.pos += size;
    switch (type) {
      case GgufType.UINT8: return b.readUInt8(0);
      case GgufType.INT8: return b.readInt8(0);
      case GgufType.UINT16: return b.readUInt16LE(0);
      case GgufType.INT16: return b.readInt16LE(0);
      case GgufType.UINT32: return b.readUInt32LE(0);
      case GgufType.INT32: return b.readInt32LE(0);
      case GgufType.FLOAT32: return b.readFloatLE(0);
      case GgufType.BOOL: return b.readUInt8(0) !== 0;
      case GgufType.UINT64: return b.readBigUInt64LE(0);
      case GgufType.INT64: return b.readBigInt64LE(0);
      default: return b.readDoubleLE(0);
    }
  }
  value(type: number, what: string, depth = 0): GgufValue {
    if (type === GgufType.STRING) return this.str(what);
    if (type !== GgufType.ARRAY) return this.scalar(type, what);
    if (depth > 2) this.fail(`${what} nests arrays too deeply`);
    const itemType = this.u32(`the item type of ${what}`);
    const count = this.u64(`the length of ${what}`);
    // Each item takes at least one byte (strings: eight), so a count beyond the file is a lie.
    const minItem = itemType === GgufType.STRING ? 8 : GGUF_SCALAR_SIZE[itemType] ?? 1;
    if (this.pos + count * minItem > this.src.size) this.fail(`${what} claims ${count} items, more than the file can hold (truncated file?)`);
    const out: GgufValue[] = new Array(count);
    for (let i = 0; i < count; i++) out[i] = this.value(itemType, what, depth + 1);
    return out;
  }
}

/** Byte size of a tensor of `type` with `dims`, or an error for an unknown type or ragged blocks. */
export function tensorByteSize(name: string, dims: readonly number[], type: number, file: string): number {
  const info = GGML_TYPES[type];
  if (!info) throw new SovraError('bad-input', `${file} is not a valid GGUF model: tensor ${name} has unknown ggml type ${type}.`);
  const elements = dims.reduce((a, b) => a * b, 1);
  const first = dims[0] ?? 1;
  if (first % info.blockSize !== 0) {
    throw new SovraError('bad-input', `${file} is not a valid GGUF model: tensor ${name} (${info.name}) has a first dimension ${first} that is not a multiple of its block size ${info.blockSize}.`);
  }
  return (elements / info.blockSize) * info.bytesPerBlock;
}

/** Parses the header of the GGUF file at `file`. Throws SovraError('bad-input') when it is not a well-formed GGUF file. */
export function readGgufHeader(file: string): GgufHeader {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw new SovraError('io', `Cannot open model file ${file}: ${(e as Error).message}`, { cause: e });
  }
  try {
    const size = fstatSync(fd).size;
    const src = new Source(fd, size, file);
    const c = new Cursor(src, file);
    if (size < 24) c.fail(`the file has ${size} bytes, fewer than a GGUF header`);
    const magic = c.u32('the magic number');
    if (magic !== GGUF_MAGIC) c.fail(`it does not start with the GGUF magic bytes (found 0x${magic.toString(16).padStart(8, '0')})`);
    const version = c.u32('the version');
    if (!GGUF_VERSIONS.includes(version)) c.fail(`GGUF version ${version} is not supported (supported: ${GGUF_VERSIONS.join(', ')})`);
    const tensorCount = c.u64('the tensor count');
    const kvCount = c.u64('the metadata count');
    if (tensorCount > MAX_TENSORS) c.fail(`it claims ${tensorCount} tensors`);
    if (kvCount > MAX_KV) c.fail(`it claims ${kvCount} metadata entries`);

    const metadata = new Map<string, GgufValue>();
    for (let i = 0; i < kvCount; i++) {
      const key = c.str(`metadata key #${i}`);
      const type = c.u32(`the type of metadata ${key}`);
      if (metadata.has(key)) c.fail(`metadata key ${key} appears twice`);
      metadata.set(key, c.value(type, `metadata ${key}`));
    }

    const tensors: GgufTensorInfo[] = [];
    const names = new Set<string>();
    for (let i = 0; i < tensorCount; i++) {
      const name = c.str(`the name of tensor #${i}`);
      const nDims = c.u32(`the dimension count of tensor ${name}`);
      if (nDims < 1 || nDims > MAX_DIMS) c.fail(`tensor ${name} has ${nDims} dimensions`);
      const dims: number[] = [];
      for (let d = 0; d < nDims; d++) dims.push(c.u64(`dimension ${d} of tensor ${name}`));
      if (dims.some((d) => d < 1)) c.fail(`tensor ${name} has an empty dimension (${dims.join('x')})`);
      const type = c.u32(`the type of tensor ${name}`);
      const offset = c.u64(`the offset of tensor ${name}`);
      if (names.has(name)) c.fail(`tensor ${name} appears twice`);
      names.add(name);
      tensors.push({ name, dims, type, offset, size: tensorByteSize(name, dims, type, file) });
    }

    const alignValue = metadata.get('general.alignment');
    const alignment = typeof alignValue === 'number' ? alignValue : GGUF_DEFAULT_ALIGNMENT;
    if (!Number.isInteger(alignment) || alignment < 1 || (alignment & (alignment - 1)) !== 0) c.fail(`general.alignment ${String(alignValue)} is not a power of two`);
    const dataOffset = Math.ceil(c.pos / alignment) * alignment;
    for (const t of tensors) {
      if (t.offset % alignment !== 0) c.fail(`tensor ${t.name} starts at offset ${t.offset}, not a multiple of the alignment ${alignment}`);
      const end = dataOffset + t.offset + t.size;
      if (end > size) {
        c.fail(`the data of tensor ${t.name} ends at byte ${end} but the file has only ${size} bytes; the file is truncated`);
      }
    }
    return { version, metadata, tensors, dataOffset, fileSize: size };
  } finally {
    closeSync(fd);
  }
}
