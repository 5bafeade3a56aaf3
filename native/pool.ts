/**
 * A bounded pool: at most `max` resources exist, created on first need;
 * callers beyond that wait in FIFO order instead of allocating more
 * memory. A waiter whose signal aborts leaves the queue.
 */

/** Counters of a pool, for tests and metrics. */
export interface PoolStats {
  /** Resources created so far (at most `max`). */
  readonly created: number;
  /** Resources lent out now. */
  readonly active: number;
  /** Callers waiting now. */
  readonly waiting: number;
  /** Most resources ever lent out at once. */
  readonly peakActive: number;
  /** Most callers ever waiting at once. */
  readonly peakWaiting: number;
}

interface Waiter<T> {
  resolve(resource: T): void;
  reject(reason: unknown): void;
}

/** A pool of at most `max` resources made by `create`. */
export class BoundedPool<T> {
  private readonly idle: T[] = [];
  private readonly all: T[] = [];
  private readonly waiters: Waiter<T>[] = [];
  private creating = 0;
  private active = 0;
  private peakActive = 0;
  private peakWaiting = 0;
  private closed = false;

  constructor(private readonly max: number, private readonly create: () => Promise<T>) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`pool size must be a positive integer, got ${max}`);
  }

  /** Lends a resource, waiting while all `max` are in use. Rejects with `signal.reason` when the signal aborts first. */
  async acquire(signal?: AbortSignal): Promise<T> {
    if (this.closed) throw new Error('pool is closed');
    signal?.throwIfAborted();
    const free = this.idle.pop();
    if (free !== undefined) return this.lend(free);
    if (this.all.length + this.creating < this.max) {
      this.creating++;
      try {
        const made = await this.create();
        this.all.push(made);
        return this.lend(made);
      } finally {
        this.creating--;
      }
    }
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = {
        resolve: (r) => { signal?.removeEventListener('abort', onAbort); resolve(r); },
        reject: (e) => { signal?.removeEventListener('abort', onAbort); reject(e); },
      };
      const onAbort = (): void => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
      this.peakWaiting = Math.max(this.peakWaiting, this.waiters.length);
    });
  }

  /** Returns a resource: the longest waiter gets it, else it goes idle. */
  release(resource: T): void {
    this.active--;
    const next = this.waiters.shift();
    if (next) {
      this.active++;
      next.resolve(resource);
    } else {
      this.idle.push(resource);
    }
  }

  /** Current counters. */
  stats(): PoolStats {
    return { created: this.all.length, active: this.active, waiting: this.waiters.length, peakActive: this.peakActive, peakWaiting: this.peakWaiting };
  }

  /** Every resource created so far, idle or lent. */
  resources(): readonly T[] {
    return [...this.all];
  }

  /** Rejects every waiter and hands back all resources for disposal. */
  drain(): T[] {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w.reject(new Error('the model was closed'));
    return this.all.splice(0);
  }

  private lend(resource: T): T {
    this.active++;
    this.peakActive = Math.max(this.peakActive, this.active);
    return resource;
  }
}
