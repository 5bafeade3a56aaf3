/**
 * Prometheus metrics of the service in the text exposition format: request
 * counts and latency, inference tier used, failovers, breaker state and
 * audit lag. Kept dependency-free; the hot path only bumps numbers.
 */

type Labels = Readonly<Record<string, string>>;

function labelKey(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  return keys.map((k) => `${k}="${String(labels[k]).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',');
}

/** A monotonically increasing count per label set. */
export class Counter {
  private readonly values = new Map<string, number>();
  constructor(readonly name: string, readonly help: string) {}
  /** Adds `by` (default 1) to the series of `labels`. */
  inc(labels: Labels = {}, by = 1): void {
    const k = labelKey(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  /** Current value of one series (tests and readiness use it). */
  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }
  /** Exposition text. */
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [k, v] of this.values) lines.push(`${this.name}${k ? `{${k}}` : ''} ${v}`);
    return lines.join('\n');
  }
}

/** A value that goes up and down, read when scraped. */
export class Gauge {
  private readonly readers = new Map<string, () => number>();
  constructor(readonly name: string, readonly help: string) {}
  /** Registers the function that reads the series of `labels`. */
  track(labels: Labels, read: () => number): void {
    this.readers.set(labelKey(labels), read);
  }
  /** Exposition text. */
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`];
    for (const [k, read] of this.readers) lines.push(`${this.name}${k ? `{${k}}` : ''} ${read()}`);
    return lines.join('\n');
  }
}

/** Observations bucketed by upper bound, per label set. */
export class Histogram {
  private readonly series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(readonly name: string, readonly help: string, readonly buckets: readonly number[]) {}
  /** Records one observation. */
  observe(labels: Labels, value: number): void {
    const k = labelKey(labels);
    let s = this.series.get(k);
    if (!s) {
      s = { counts: new Array<number>(this.buckets.length).fill(0), sum: 0, count: 0 };
      this.series.set(k, s);
    }
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) s.counts[i]!++;
    s.sum += value;
    s.count++;
  }
  /** Exposition text (cumulative buckets, `+Inf`, sum and count). */
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [k, s] of this.series) {
      const sep = k ? ',' : '';
      this.buckets.forEach((b, i) => lines.push(`${this.name}_bucket{${k}${sep}le="${b}"} ${s.counts[i]}`));
      lines.push(`${this.name}_bucket{${k}${sep}le="+Inf"} ${s.count}`);
      lines.push(`${this.name}_sum${k ? `{${k}}` : ''} ${s.sum}`);
      lines.push(`${this.name}_count${k ? `{${k}}` : ''} ${s.count}`);
    }
    return lines.join('\n');
  }
}

/** The service's metrics, one instance per app. */
export class ServiceMetrics {
  /** HTTP requests by route, method and status. */
  readonly requests = new Counter('sovra_http_requests_total', 'HTTP requests by route, method and status.');
  /** HTTP latency by route. */
  readonly latency = new Histogram('sovra_http_request_duration_seconds', 'HTTP request latency by route.', [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
  ]);
  /** Inference calls by tier, operation and outcome. */
  readonly tierRequests = new Counter('sovra_inference_requests_total', 'Inference calls by tier, operation and outcome.');
  /** Moves from one tier to the next. */
  readonly failovers = new Counter('sovra_failovers_total', 'Failovers from one inference tier to the next, by tier left and phase.');
  /** Breaker state per tier. */
  readonly breakerOpen = new Gauge('sovra_tier_breaker_open', 'Circuit breaker of an inference tier: 1 open, 0 closed or half-open.');
  /** Records waiting for their durable flush. */
  readonly auditLag = new Gauge('sovra_audit_pending_records', 'Audit records waiting for their durable flush (audit lag).');
  readonly auditUnapplied = new Gauge('sovra_audit_journal_unapplied_records', 'Audit records durable in the journal, not yet copied into the database.');
  /** Requests refused by authentication, policy or rate limit. */
  readonly denials = new Counter('sovra_denied_requests_total', 'Requests refused, by reason.');

  /** Exposition text of every metric. */
  render(): string {
    return [this.requests, this.latency, this.tierRequests, this.failovers, this.breakerOpen, this.auditLag, this.auditUnapplied, this.denials].map((m) => m.render()).join('\n') + '\n';
  }
}

/** Content type of the exposition format. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * Every metric family name the service exposes (histograms with their
 * `_bucket`, `_sum` and `_count` series): the list the platform's monitoring
 * checks alert rules and dashboards against, read from the metrics
 * themselves so it cannot drift from them.
 */
export function exposedMetricNames(): string[] {
  const m = new ServiceMetrics() as unknown as Record<string, unknown>;
  const names: string[] = [];
  for (const v of Object.values(m)) {
    if (v instanceof Histogram) names.push(`${v.name}_bucket`, `${v.name}_sum`, `${v.name}_count`);
    else if (v instanceof Counter || v instanceof Gauge) names.push(v.name);
  }
  return names.sort();
}
