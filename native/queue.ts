/** A one-producer, one-consumer async queue that bridges callback-style token output to an async iterator. */

/** Items pushed by a callback, read with `for await`; `end` or `fail` finishes it. */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private wake: (() => void) | undefined;
  private done = false;
  private error: { reason: unknown } | undefined;

  /** Adds an item. */
  push(item: T): void {
    this.items.push(item);
    this.notify();
  }

  /** No more items after those queued. */
  end(): void {
    this.done = true;
    this.notify();
  }

  /** Stops iteration with `reason` after the queued items. */
  fail(reason: unknown): void {
    this.error = { reason };
    this.done = true;
    this.notify();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      if (this.items.length > 0) {
        yield this.items.shift() as T;
        continue;
      }
      if (this.done) {
        if (this.error) throw this.error.reason;
        return;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
}
