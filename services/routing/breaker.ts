/**
 * Circuit breaker of one tier: after `threshold` consecutive failures the
 * tier is skipped for `openMs`; then one probe is let through (half-open),
 * and its outcome closes or re-opens the breaker.
 */

/** Breaker tuning. */
export interface BreakerOptions {
  /** Consecutive failures that open the breaker. @default 3 */
  readonly threshold?: number;
  /** How long an open breaker skips the tier, in milliseconds. @default 10000 */
  readonly openMs?: number;
  /** Clock in milliseconds (tests pass their own). */
  readonly now?: () => number;
}

/** Breaker state. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** One tier's breaker. */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private probing = false;
  private current: BreakerState = 'closed';
  private readonly threshold: number;
  private readonly openMs: number;
  private readonly now: () => number;

  constructor(options: BreakerOptions = {}) {
    this.threshold = options.threshold ?? 3;
    this.openMs = options.openMs ?? 10_000;
    this.now = options.now ?? (() => performance.now());
  }

  /** Current state (an open breaker past its time reads half-open). */
  get state(): BreakerState {
    if (this.current === 'open' && this.now() - this.openedAt >= this.openMs) return 'half-open';
    return this.current;
  }

  /** True when a call may go to the tier now; a half-open breaker lets one probe through. */
  allow(): boolean {
    const s = this.state;
    if (s === 'closed') return true;
    if (s === 'open') return false;
    if (this.probing) return false;
    this.current = 'half-open';
    this.probing = true;
    return true;
  }

  /** Records a call that worked. */
  success(): void {
    this.failures = 0;
    this.probing = false;
    this.current = 'closed';
  }

  /** Records a call that failed. */
  failure(): void {
    this.failures++;
    if (this.current === 'half-open' || this.failures >= this.threshold) {
      this.current = 'open';
      this.openedAt = this.now();
    }
    this.probing = false;
  }

  /** Releases a half-open probe that ended neither way (aborted by the client). */
  release(): void {
    this.probing = false;
  }
}
