/**
 * Exact-length reads over a stream of chunks, for the archive readers
 * (tar, ar): `read(n)` gives n bytes or fails on a truncated input,
 * `stream(n)` hands n bytes on in the chunks they arrived in, so a large
 * member never sits in memory whole.
 */

/** Reads exact byte counts from an async iterable of chunks. */
export class ByteReader {
  private readonly it: AsyncIterator<Buffer>;
  private chunks: Buffer[] = [];
  private length = 0;
  private done = false;

  constructor(
    source: AsyncIterable<Buffer | Uint8Array>,
    /** What is being read, for messages. */
    private readonly what: string,
  ) {
    const inner = source[Symbol.asyncIterator]();
    this.it = {
      next: async () => {
        const r = await inner.next();
        return r.done ? r : { done: false, value: Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength) };
      },
      return: async () => (inner.return ? ((await inner.return()) as IteratorResult<Buffer>) : { done: true, value: undefined }),
    };
  }

  /** Buffers until `n` bytes are available or the input ends; true when they are. */
  private async fill(n: number): Promise<boolean> {
    while (this.length < n && !this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else if (r.value.length > 0) {
        this.chunks.push(r.value);
        this.length += r.value.length;
      }
    }
    return this.length >= n;
  }

  /** Takes `n` bytes off the front (they must be buffered). */
  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    let first = this.chunks[0]!;
    if (first.length < n) {
      first = Buffer.concat(this.chunks);
      this.chunks = [first];
    }
    const out = first.subarray(0, n);
    if (first.length === n) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.length -= n;
    return out;
  }

  /** Exactly `n` bytes, or `undefined` at a clean end (no byte left); a partial read is an error. */
  async read(n: number): Promise<Buffer | undefined> {
    if (!(await this.fill(n))) {
      if (this.length === 0) return undefined;
      throw new Error(`${this.what}: truncated (wanted ${n} bytes, ${this.length} left)`);
    }
    return this.take(n);
  }

  /** Exactly `n` bytes; the end of input is an error. */
  async readExact(n: number): Promise<Buffer> {
    const b = await this.read(n);
    if (b === undefined) throw new Error(`${this.what}: truncated (wanted ${n} bytes, none left)`);
    return b;
  }

  /** The next `n` bytes as chunks. */
  async *stream(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.length === 0 && !(await this.fill(1))) throw new Error(`${this.what}: truncated (${left} bytes of a member missing)`);
      const first = this.chunks[0]!;
      const k = Math.min(left, first.length);
      yield this.take(k);
      left -= k;
    }
  }

  /** Skips `n` bytes. */
  async skip(n: number): Promise<void> {
    for await (const _ of this.stream(n));
  }

  /** Reads and drops whatever is left (so a child process writing the input can finish). */
  async drain(): Promise<void> {
    while (await this.fill(this.length + 1)) this.take(this.length);
  }
}
