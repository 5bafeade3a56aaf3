/**
 * An upstream OpenAI-compatible server (vLLM in the cluster) as a tier. Its
 * base URL includes `/v1`, as the openai client's `baseURL`.
 */
import type { IncomingMessage } from 'node:http';
import type { Usage } from '../../native/types.js';
import { UpstreamHttp } from './http-client.js';
import { sseData } from './sse.js';
import { CONTINUE_PROMPT, TierError, type ChatCall, type InferenceTier, type TierChatResult, type TierChunk, type TierEmbeddings, type TierModel, type TierStream } from './tier.js';

/** How to reach one upstream. */
export interface UpstreamOptions {
  /** Tier name, e.g. `upstream-0`. */
  readonly name: string;
  /** Base URL including `/v1`. */
  readonly baseUrl: string;
  /** Time limit until the answer starts, and between two stream events, in ms. @default 30000 */
  readonly timeoutMs?: number;
  /** Bearer token sent upstream, if it needs one. */
  readonly apiKey?: string;
}

const MODEL_CACHE_MS = 60_000;
const EMPTY_USAGE: Usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };

interface WireModel {
  id?: unknown;
  owned_by?: unknown;
  created?: unknown;
  digest?: unknown;
}

interface WireChoice {
  message?: { content?: unknown };
  delta?: { content?: unknown };
  finish_reason?: unknown;
}

function finishOf(v: unknown): 'stop' | 'length' | 'abort' | undefined {
  if (v === 'length') return 'length';
  if (v === null || v === undefined) return undefined;
  return 'stop';
}

/** The request body sent upstream for `call`; a continuation appends the partial answer and asks for the rest. */
export function upstreamChatBody(call: ChatCall, stream: boolean): Record<string, unknown> {
  const messages: { role: string; content: string }[] = call.messages.map((m) => ({ role: m.role, content: m.content }));
  if (call.continueFrom) messages.push({ role: 'assistant', content: call.continueFrom }, { role: 'user', content: CONTINUE_PROMPT });
  const body: Record<string, unknown> = { model: call.model, messages, stream };
  if (stream) body.stream_options = { include_usage: true };
  if (call.max_tokens !== undefined) body.max_tokens = call.max_tokens;
  if (call.temperature !== undefined) body.temperature = call.temperature;
  if (call.top_p !== undefined) body.top_p = call.top_p;
  if (call.seed !== undefined) body.seed = call.seed;
  if (call.stop !== undefined) body.stop = call.stop;
  if (call.response_format !== undefined) body.response_format = call.response_format;
  return body;
}

/** One upstream server. */
export class UpstreamTier implements InferenceTier {
  readonly name: string;
  private readonly http: UpstreamHttp;
  private readonly timeoutMs: number;
  private readonly headers: Record<string, string>;
  private digests = new Map<string, string>();
  private modelsAt = -Infinity;

  constructor(options: UpstreamOptions) {
    this.name = options.name;
    this.http = new UpstreamHttp(new URL(options.baseUrl));
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.headers = options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {};
  }

  /** Digest of `model` as the upstream's `/models` reported it; refreshed in the background. */
  private digestOf(model: string): string {
    if (performance.now() - this.modelsAt > MODEL_CACHE_MS) {
      this.modelsAt = performance.now();
      this.models().catch(() => undefined);
    }
    return this.digests.get(model) ?? 'unknown';
  }

  async models(signal?: AbortSignal): Promise<TierModel[]> {
    const list = await this.http.json<{ data?: WireModel[] }>('models', { method: 'GET', signal, timeoutMs: this.timeoutMs, headers: this.headers });
    const models = (Array.isArray(list.data) ? list.data : [])
      .filter((m): m is WireModel & { id: string } => typeof m.id === 'string')
      .map((m) => ({
        model: m.id,
        digest: typeof m.digest === 'string' ? m.digest : 'unknown',
        owned_by: typeof m.owned_by === 'string' ? m.owned_by : this.name,
        created: typeof m.created === 'number' ? m.created : 0,
      }));
    this.digests = new Map(models.map((m) => [m.model, m.digest]));
    this.modelsAt = performance.now();
    return models;
  }

  async ping(signal?: AbortSignal): Promise<void> {
    await this.models(signal);
  }

  async chat(call: ChatCall): Promise<TierChatResult> {
    const j = await this.http.json<{ model?: unknown; choices?: WireChoice[]; usage?: Usage }>('chat/completions', {
      method: 'POST',
      body: upstreamChatBody(call, false),
      signal: call.signal,
      timeoutMs: this.timeoutMs,
      headers: this.headers,
    });
    const choice = j.choices?.[0];
    if (!choice || typeof choice.message?.content !== 'string') throw new TierError('unavailable', `${this.name} sent an answer without choices[0].message.content`);
    const model = typeof j.model === 'string' ? j.model : call.model;
    return { content: choice.message.content, finish_reason: finishOf(choice.finish_reason) ?? 'stop', usage: j.usage ?? EMPTY_USAGE, model, digest: this.digestOf(model) };
  }

  async chatStream(call: ChatCall): Promise<TierStream> {
    const res = await this.http.request('chat/completions', {
      method: 'POST',
      body: upstreamChatBody(call, true),
      signal: call.signal,
      timeoutMs: this.timeoutMs,
      headers: this.headers,
    });
    return { model: call.model, digest: this.digestOf(call.model), chunks: this.chunks(res.body, call.signal) };
  }

  /** Turns the upstream's SSE into chunks; a stream that ends without `[DONE]` or a finish reason is a failure. */
  private async *chunks(body: IncomingMessage, signal: AbortSignal | undefined): AsyncGenerator<TierChunk> {
    let idle: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(idle);
      idle = setTimeout(() => body.destroy(new Error(`no stream event within ${this.timeoutMs} ms`)), this.timeoutMs);
    };
    let aborted = false;
    body.on('aborted', () => (aborted = true));
    let finish: 'stop' | 'length' | 'abort' | undefined;
    let usage: Usage | undefined;
    let done = false;
    arm();
    try {
      for await (const data of sseData(body)) {
        arm();
        if (data === '[DONE]') {
          done = true;
          break;
        }
        let j: { choices?: WireChoice[]; usage?: Usage | null; error?: { message?: string } };
        try {
          j = JSON.parse(data) as typeof j;
        } catch {
          throw new TierError('unavailable', `${this.name} sent a stream event that is not JSON`);
        }
        if (j.error) throw new TierError('unavailable', `${this.name} reported an error mid-stream: ${j.error.message ?? 'unknown'}`);
        if (j.usage) usage = j.usage;
        const choice = j.choices?.[0];
        const delta = typeof choice?.delta?.content === 'string' ? choice.delta.content : '';
        finish = finishOf(choice?.finish_reason) ?? finish;
        if (delta) yield { delta };
      }
    } catch (e) {
      if (signal?.aborted) throw e;
      if (e instanceof TierError) throw e;
      throw new TierError('unavailable', `${this.name} broke off its stream: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    } finally {
      clearTimeout(idle);
      if (!done) body.destroy();
    }
    if (!done && (finish === undefined || aborted)) throw new TierError('unavailable', `${this.name} ended its stream before finishing`);
    yield { delta: '', finish_reason: finish ?? 'stop', ...(usage ? { usage } : {}) };
  }

  async embed(inputs: readonly string[], model: string | undefined, signal?: AbortSignal): Promise<TierEmbeddings> {
    const name = model ?? (await this.models(signal))[0]?.model;
    if (!name) throw new TierError('unavailable', `${this.name} lists no model to embed with`);
    const j = await this.http.json<{ data?: { embedding?: unknown; index?: number }[]; model?: unknown; usage?: { prompt_tokens?: number; total_tokens?: number } }>('embeddings', {
      method: 'POST',
      body: { model: name, input: inputs, encoding_format: 'float' },
      signal,
      timeoutMs: this.timeoutMs,
      headers: this.headers,
    });
    const data = Array.isArray(j.data) ? [...j.data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0)) : [];
    if (data.length !== inputs.length || !data.every((d) => Array.isArray(d.embedding))) {
      throw new TierError('unavailable', `${this.name} sent ${data.length} embeddings for ${inputs.length} inputs`);
    }
    const used = typeof j.model === 'string' ? j.model : name;
    return {
      embeddings: data.map((d) => d.embedding as number[]),
      usage: { prompt_tokens: j.usage?.prompt_tokens ?? 0, total_tokens: j.usage?.total_tokens ?? 0 },
      model: used,
      digest: this.digestOf(used),
    };
  }

  async close(): Promise<void> {
    this.http.close();
  }
}
