/**
 * Encodes a GGUF v3 file from metadata and F32 tensors. Used by the test
 * model builder; the output is a pure function of the input (metadata keys
 * are written in the order given).
 */
import { GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GgufType } from './format.js';

/** A typed metadata value as the writer needs it. */
export type GgufWriteValue =
  | { readonly type: 'u32'; readonly value: number }
  | { readonly type: 'i32'; readonly value: number }
  | { readonly type: 'f32'; readonly value: number }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'string[]'; readonly value: readonly string[] }
  | { readonly type: 'f32[]'; readonly value: readonly number[] }
  | { readonly type: 'i32[]'; readonly value: readonly number[] };

/** One F32 tensor: name, dimensions in ggml order (innermost first) and data. */
export interface GgufWriteTensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly data: Float32Array;
}

/** Growable little-endian byte sink. */
class Sink {
  private buf = Buffer.alloc(1 << 16);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = Buffer.alloc(size);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }
  u32(v: number): void { this.reserve(4); this.buf.writeUInt32LE(v, this.length); this.length += 4; }
  i32(v: number): void { this.reserve(4); this.buf.writeInt32LE(v, this.length); this.length += 4; }
  f32(v: number): void { this.reserve(4); this.buf.writeFloatLE(v, this.length); this.length += 4; }
  u64(v: number | bigint): void { this.reserve(8); this.buf.writeBigUInt64LE(BigInt(v), this.length); this.length += 8; }
  u8(v: number): void { this.reserve(1); this.buf.writeUInt8(v, this.length); this.length += 1; }
  str(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.u64(b.length);
    this.bytes(b);
  }
  bytes(b: Uint8Array): void { this.reserve(b.length); this.buf.set(b, this.length); this.length += b.length; }
  pad(alignment: number): void {
    const n = (alignment - (this.length % alignment)) % alignment;
    this.reserve(n);
    this.buf.fill(0, this.length, this.length + n);
    this.length += n;
  }
  result(): Buffer { return this.buf.subarray(0, this.length); }
}

function writeValue(sink: Sink, v: GgufWriteValue): void {
  switch (v.type) {
    case 'u32': sink.u32(GgufType.UINT32); sink.u32(v.value); return;
    case 'i32': sink.u32(GgufType.INT32); sink.i32(v.value); return;
    case 'f32': sink.u32(GgufType.FLOAT32); sink.f32(v.value); return;
    case 'bool': sink.u32(GgufType.BOOL); sink.u8(v.value ? 1 : 0); return;
    case 'string': sink.u32(GgufType.STRING); sink.str(v.value); return;
    case 'string[]':
      sink.u32(GgufType.ARRAY); sink.u32(GgufType.STRING); sink.u64(v.value.length);
      for (const s of v.value) sink.str(s);
      return;
    case 'f32[]':
      sink.u32(GgufType.ARRAY); sink.u32(GgufType.FLOAT32); sink.u64(v.value.length);
      for (const x of v.value) sink.f32(x);
      return;
    case 'i32[]':
      sink.u32(GgufType.ARRAY); sink.u32(GgufType.INT32); sink.u64(v.value.length);
      for (const x of v.value) sink.i32(x);
      return;
  }
}

/** Encodes a GGUF v3 file; tensors are F32 and laid out in the order given. */
export function encodeGguf(metadata: ReadonlyArray<readonly [string, GgufWriteValue]>, tensors: readonly GgufWriteTensor[]): Buffer {
  const alignment = GGUF_DEFAULT_ALIGNMENT;
  const sink = new Sink();
  sink.u32(GGUF_MAGIC);
  sink.u32(3);
  sink.u64(tensors.length);
  sink.u64(metadata.length);
  for (const [key, value] of metadata) {
    sink.str(key);
    writeValue(sink, value);
  }
  let offset = 0;
  for (const t of tensors) {
    const elements = t.dims.reduce((a, b) => a * b, 1);
    if (elements !== t.data.length) throw new Error(`tensor ${t.name}: ${t.data.length} values for dims ${t.dims.join('x')}`);
    sink.str(t.name);
    sink.u32(t.dims.length);
    for (const d of t.dims) sink.u64(d);
    sink.u32(0); // F32
    sink.u64(offset);
    offset += Math.ceil((elements * 4) / alignment) * alignment;
  }
  sink.pad(alignment);
  for (const t of tensors) {
    sink.bytes(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    sink.pad(alignment);
  }
  return sink.result();
}
