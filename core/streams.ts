/** Stream helpers shared by writers of large files (bundle archives, the blob cache). */
import type { Writable } from 'node:stream';

/** Writes `data` to `out`, waiting when it asks to. */
export async function writeChunk(out: Writable, data: Buffer): Promise<void> {
  if (out.write(data)) return;
  await new Promise<void>((resolve, reject) => {
    const done = (e?: Error): void => {
      out.off('drain', onDrain);
      out.off('error', onError);
      if (e) reject(e);
      else resolve();
    };
    const onDrain = (): void => done();
    const onError = (e: Error): void => done(e);
    out.once('drain', onDrain);
    out.once('error', onError);
  });
}

/**
 * Bytes that several channels may hold at once. A channel that would go
 * over waits until others have been read; one chunk larger than the whole
 * budget still passes when nothing else is held (no deadlock).
 */
export class ByteBudget {
  private held = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {}

  /** Waits until `n` more bytes fit, then holds them. */
  async take(n: number): Promise<void> {
    while (this.held > 0 && this.held + n > this.limit) await new Promise<void>((r) => this.waiting.push(r));
    this.held += n;
  }

  /** Gives back `n` bytes. */
  release(n: number): void {
    this.held -= n;
    for (const w of this.waiting.splice(0)) w();
  }
}

/**
 * A queue of chunks from one writer to one reader (an async iterable),
 * holding at most what its budget allows: the writer can run ahead of a
 * slow reader by that much, and no further. `fail` ends it with an error
 * on both sides and gives its bytes back.
 */
export class Channel implements AsyncIterable<Buffer> {
  private readonly chunks: Buffer[] = [];
  private ended = false;
  private error: unknown;
  private wake: (() => void) | undefined;

  constructor(private readonly budget: ByteBudget) {}

  /** Adds a chunk, waiting while the budget is spent; throws once the channel failed. */
  async push(chunk: Buffer): Promise<void> {
    if (this.error !== undefined) throw this.error;
    await this.budget.take(chunk.length);
    if (this.error !== undefined) {
      this.budget.release(chunk.length);
      throw this.error;
    }
    this.chunks.push(chunk);
    this.signal();
  }

  /** No more chunks. */
  end(): void {
    this.ended = true;
    this.signal();
  }

  /** Ends the channel with `error`: the reader gets it, later pushes throw it. */
  fail(error: unknown): void {
    if (this.error !== undefined) return;
    this.error = error;
    let n = 0;
    for (const c of this.chunks.splice(0)) n += c.length;
    if (n > 0) this.budget.release(n);
    this.signal();
  }

  private signal(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    for (;;) {
      if (this.error !== undefined) throw this.error;
      const c = this.chunks.shift();
      if (c) {
        this.budget.release(c.length);
        yield c;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((r) => (this.wake = r));
    }
  }
}
