/**
 * Tiered routing with failover: each upstream in order, then the local
 * model. A tier is skipped while its breaker is open and left on a
 * connection failure, timeout or 5xx. A stream that breaks after some text
 * continues on the next tier from that text, so the client sees one answer.
 */
import type { ServiceMetrics } from '../metrics.js';
import { ProblemError } from '../errors.js';
import { CircuitBreaker, type BreakerOptions } from './breaker.js';
import { TierError, type ChatCall, type InferenceTier, type ModelIdentity, type TierChatResult, type TierChunk, type TierEmbeddings, type TierModel } from './tier.js';

/** A chat answer and the tier that gave it. */
export interface RoutedChat extends TierChatResult {
  readonly tier: string;
}

/** Embeddings and the tier that computed them. */
export interface RoutedEmbeddings extends TierEmbeddings {
  readonly tier: string;
}

/** An event of a routed stream: a tier took over, or a piece of the answer. */
export type RoutedEvent = ({ readonly type: 'tier'; readonly tier: string } & ModelIdentity) | ({ readonly type: 'chunk' } & TierChunk);

/** A listed model and its tier. */
export interface RoutedModel extends TierModel {
  readonly tier: string;
}

function noTier(failures: string[]): ProblemError {
  const why = failures.length > 0 ? failures.join('; ') : 'every tier is paused by its circuit breaker';
  return new ProblemError(503, 'no_tier_available', `No inference tier could answer: ${why}`);
}

function rejected(e: TierError): ProblemError {
  return new ProblemError(e.status ?? 400, e.code ?? 'upstream_rejected', e.message, e.param ? { param: e.param } : {});
}

/** Routes inference calls over the tiers. */
export class TierRouter {
  private readonly breakers: CircuitBreaker[];

  constructor(
    readonly tiers: readonly InferenceTier[],
    private readonly metrics: ServiceMetrics,
    breaker: BreakerOptions = {},
  ) {
    this.breakers = tiers.map(() => new CircuitBreaker(breaker));
    tiers.forEach((t, i) => metrics.breakerOpen.track({ tier: t.name }, () => (this.breakers[i]!.state === 'open' ? 1 : 0)));
  }

  /** Breaker state per tier name (for tests and `/readyz`). */
  breakerStates(): Record<string, string> {
    return Object.fromEntries(this.tiers.map((t, i) => [t.name, this.breakers[i]!.state]));
  }

  /** Runs `op` on the first tier that can; 4xx answers go back to the client. */
  private async first<T>(operation: string, signal: AbortSignal | undefined, op: (tier: InferenceTier) => Promise<T>): Promise<T & { tier: string }> {
    const failures: string[] = [];
    for (let i = 0; i < this.tiers.length; i++) {
      const tier = this.tiers[i]!;
      const breaker = this.breakers[i]!;
      if (!breaker.allow()) continue;
      try {
        const r = await op(tier);
        breaker.success();
        this.metrics.tierRequests.inc({ tier: tier.name, operation, outcome: 'success' });
        return { ...r, tier: tier.name };
      } catch (e) {
        if (signal?.aborted) {
          breaker.release();
          throw e;
        }
        if (e instanceof TierError && e.kind === 'rejected') {
          breaker.success();
          this.metrics.tierRequests.inc({ tier: tier.name, operation, outcome: 'rejected' });
          throw rejected(e);
        }
        breaker.failure();
        this.metrics.tierRequests.inc({ tier: tier.name, operation, outcome: 'failure' });
        failures.push(`${tier.name}: ${e instanceof Error ? e.message : String(e)}`);
        if (i < this.tiers.length - 1) this.metrics.failovers.inc({ from: tier.name, phase: 'before-answer' });
      }
    }
    throw noTier(failures);
  }

  /** A whole chat answer. */
  chat(call: ChatCall): Promise<RoutedChat> {
    return this.first('chat', call.signal, (t) => t.chat(call));
  }

  /** Embeddings of `inputs`. */
  embed(inputs: readonly string[], model: string | undefined, signal?: AbortSignal): Promise<RoutedEmbeddings> {
    return this.first('embeddings', signal, (t) => t.embed(inputs, model, signal));
  }

  /**
   * A streamed answer. The first event names the tier; a later `tier` event
   * means the answer moved on, continuing from the text already yielded.
   * Throws a ProblemError when no tier can answer (before or after text).
   */
  async *chatStream(call: ChatCall): AsyncGenerator<RoutedEvent> {
    let sent = '';
    const failures: string[] = [];
    for (let i = 0; i < this.tiers.length; i++) {
      const tier = this.tiers[i]!;
      const breaker = this.breakers[i]!;
      if (!breaker.allow()) continue;
      let tierSent = 0;
      try {
        const stream = await tier.chatStream(sent ? { ...call, continueFrom: sent } : call);
        yield { type: 'tier', tier: tier.name, model: stream.model, digest: stream.digest };
        for await (const chunk of stream.chunks) {
          sent += chunk.delta;
          tierSent += chunk.delta.length;
          yield { type: 'chunk', ...chunk };
        }
        breaker.success();
        this.metrics.tierRequests.inc({ tier: tier.name, operation: 'chat-stream', outcome: 'success' });
        return;
      } catch (e) {
        if (call.signal?.aborted) {
          breaker.release();
          throw e;
        }
        if (e instanceof TierError && e.kind === 'rejected' && sent === '') {
          breaker.success();
          this.metrics.tierRequests.inc({ tier: tier.name, operation: 'chat-stream', outcome: 'rejected' });
          throw rejected(e);
        }
        breaker.failure();
        this.metrics.tierRequests.inc({ tier: tier.name, operation: 'chat-stream', outcome: 'failure' });
        failures.push(`${tier.name}: ${e instanceof Error ? e.message : String(e)}`);
        if (i < this.tiers.length - 1) this.metrics.failovers.inc({ from: tier.name, phase: tierSent > 0 || sent !== '' ? 'mid-stream' : 'before-answer' });
      }
    }
    throw noTier(failures);
  }

  /** Models of every tier that answers, first tier first, without duplicates. */
  async models(signal?: AbortSignal): Promise<RoutedModel[]> {
    const lists = await Promise.all(
      this.tiers.map(async (t, i) => {
        if (this.breakers[i]!.state === 'open') return [];
        try {
          return (await t.models(signal)).map((m) => ({ ...m, tier: t.name }));
        } catch {
          return [];
        }
      }),
    );
    const seen = new Set<string>();
    return lists.flat().filter((m) => !seen.has(m.model) && seen.add(m.model));
  }

  /** Name of the first tier that answers a ping, or undefined when none does. */
  async reachable(timeoutMs: number): Promise<string | undefined> {
    for (const t of this.tiers) {
      try {
        await t.ping(AbortSignal.timeout(timeoutMs));
        return t.name;
      } catch {
        // try the next tier
      }
    }
    return undefined;
  }

  /** Closes the tiers' connections. */
  async close(): Promise<void> {
    await Promise.all(this.tiers.map((t) => t.close?.()));
  }
}
