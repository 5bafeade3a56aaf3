/**
 * Token-bucket rate limiting per subject and tenant. Buckets live in memory
 * (one replica's view); the map is bounded so a flood of subjects cannot
 * exhaust memory.
 */

/** Limits of each bucket. */
export interface RateLimitOptions {
  /** Sustained requests per second per subject and tenant. */
  readonly ratePerSecond: number;
  /** Requests allowed in a burst. @default 2 × ratePerSecond */
  readonly burst?: number;
  /** Most buckets kept; the least recently used go first. @default 100000 */
  readonly maxKeys?: number;
  /** Clock in milliseconds (tests pass their own). */
  readonly now?: () => number;
}

/** Outcome of one `take`. */
export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  updated: number;
}

/** Per-key token buckets. */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly rate: number;
  private readonly burst: number;
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(options: RateLimitOptions) {
    if (!(options.ratePerSecond > 0)) throw new Error(`rate limit must be positive, got ${options.ratePerSecond}`);
    this.rate = options.ratePerSecond / 1000;
    this.burst = Math.max(1, options.burst ?? options.ratePerSecond * 2);
    this.maxKeys = options.maxKeys ?? 100_000;
    this.now = options.now ?? (() => performance.now());
  }

  /** Takes one token from the bucket of `tenant` and `subject`. */
  take(tenant: string, subject: string): RateDecision {
    const key = `${tenant}\u0000${subject}`;
    const now = this.now();
    let b = this.buckets.get(key);
    if (b) {
      this.buckets.delete(key); // re-insert: Map order is the LRU order
      b.tokens = Math.min(this.burst, b.tokens + (now - b.updated) * this.rate);
      b.updated = now;
    } else {
      b = { tokens: this.burst, updated: now };
      if (this.buckets.size >= this.maxKeys) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
    }
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / this.rate / 1000)) };
  }
}
