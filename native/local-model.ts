/**
 * A loaded GGUF model serving many requests through bounded pools of
 * llama.cpp contexts: chat with the model's own template, token streaming
 * with cancellation, JSON-schema constrained output and embeddings, all
 * behind the OpenAI-shaped `LocalModel` interface.
 */
import { LlamaChat, type ChatWrapper, type Llama, type LlamaContext, type LlamaContextSequence, type LlamaEmbeddingContext, type LlamaGrammar, type LlamaModel } from 'node-llama-cpp';
import { SovraError } from '../core/errors.js';
import { BoundedPool, type PoolStats } from './pool.js';
import { AsyncQueue } from './queue.js';
import { generationSettings } from './request.js';
import type { ChatChunk, ChatRequest, ChatResult, LocalModel, Usage } from './types.js';

/** What a `NativeLocalModel` is built from (see `loadLocalModel`). */
export interface NativeLocalModelInit {
  readonly id: string;
  readonly digest: string;
  readonly llama: Llama;
  readonly model: LlamaModel;
  /** Renders chat histories with the model's template; resolved once per model. */
  readonly chatWrapper: ChatWrapper;
  /** Size of the pools of chat and of embedding contexts. */
  readonly contexts: number;
  /** Tokens per context. */
  readonly contextSize: number;
  /** CPU threads per context. */
  readonly threads: number;
}

/** Pool counters of a loaded model. */
export interface NativeModelStats {
  readonly chat: PoolStats;
  readonly embed: PoolStats;
  /** CPU threads llama.cpp uses in each chat context created so far. */
  readonly threads: readonly number[];
}

interface ChatSlot {
  readonly context: LlamaContext;
  readonly sequence: LlamaContextSequence;
  readonly chat: LlamaChat;
}

type FinishReason = ChatResult['finish_reason'];

const FINISH: Record<string, FinishReason> = {
  eogToken: 'stop',
  stopGenerationTrigger: 'stop',
  customStopTrigger: 'stop',
  functionCalls: 'stop',
  maxTokens: 'length',
  abort: 'abort',
};

const MAX_CACHED_GRAMMARS = 32;

function usage(prompt: number, completion: number): Usage {
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** The `LocalModel` implementation on node-llama-cpp. */
export class NativeLocalModel implements LocalModel {
  /** Model id as `/v1/models` lists it. */
  readonly id: string;
  /** `sha256:<hex>` of the loaded file. */
  readonly digest: string;
  /** Tokens per context. */
  readonly contextSize: number;
  private readonly llama: Llama;
  private readonly model: LlamaModel;
  private readonly chatPool: BoundedPool<ChatSlot>;
  private readonly embedPool: BoundedPool<LlamaEmbeddingContext>;
  private readonly grammars = new Map<string, Promise<LlamaGrammar>>();
  private closed = false;

  constructor(init: NativeLocalModelInit) {
    this.id = init.id;
    this.digest = init.digest;
    this.contextSize = init.contextSize;
    this.llama = init.llama;
    this.model = init.model;
    this.chatPool = new BoundedPool(init.contexts, async () => {
      const context = await init.model.createContext({ contextSize: init.contextSize, threads: init.threads, sequences: 1 });
      const sequence = context.getSequence();
      return { context, sequence, chat: new LlamaChat({ contextSequence: sequence, chatWrapper: init.chatWrapper }) };
    });
    this.embedPool = new BoundedPool(init.contexts, () => init.model.createEmbeddingContext({ contextSize: init.contextSize, threads: init.threads }));
  }

  /** Whole answer at once. An aborted signal ends generation with `finish_reason: 'abort'` and the text so far. */
  chat(request: ChatRequest): Promise<ChatResult> {
    return this.generate(request, request.signal, undefined);
  }

  /** Answer as a stream of text deltas; the last chunk has `finish_reason` and `usage`. Breaking out of the loop stops generation. */
  async *chatStream(request: ChatRequest): AsyncGenerator<ChatChunk> {
    const stop = new AbortController();
    const outer = request.signal;
    const onOuterAbort = (): void => stop.abort(outer?.reason);
    if (outer?.aborted) stop.abort(outer.reason);
    else outer?.addEventListener('abort', onOuterAbort, { once: true });
    const queue = new AsyncQueue<string>();
    const run = this.generate(request, stop.signal, (text) => queue.push(text));
    run.then(() => queue.end(), (e) => queue.fail(e));
    try {
      for await (const delta of queue) yield { delta };
      const result = await run;
      yield { delta: '', finish_reason: result.finish_reason, usage: result.usage };
    } finally {
      outer?.removeEventListener('abort', onOuterAbort);
      // Reached when the consumer breaks out early: stop generating and wait until the context is free.
      stop.abort(new DOMException('The stream was closed by its reader.', 'AbortError'));
      await run.catch(() => undefined);
    }
  }

  /** One embedding vector per input, in order. An aborted signal rejects with its reason. */
  async embed(inputs: readonly string[], options?: { signal?: AbortSignal }): Promise<{ embeddings: number[][]; usage: Usage }> {
    this.assertOpen();
    if (!Array.isArray(inputs) || inputs.length === 0 || inputs.some((s) => typeof s !== 'string' || s === '')) {
      throw new SovraError('bad-input', 'input must be a non-empty list of non-empty strings.');
    }
    const counts = inputs.map((text, i) => {
      const n = this.model.tokenize(text).length;
      if (n > this.contextSize) throw new SovraError('bad-input', `input[${i}] has ${n} tokens, more than the context size ${this.contextSize}.`);
      return n;
    });
    const signal = options?.signal;
    const context = await this.embedPool.acquire(signal);
    try {
      const embeddings: number[][] = [];
      for (const text of inputs) {
        signal?.throwIfAborted();
        embeddings.push([...(await context.getEmbeddingFor(text)).vector]);
      }
      const prompt = counts.reduce((a, b) => a + b, 0);
      return { embeddings, usage: usage(prompt, 0) };
    } finally {
      this.embedPool.release(context);
    }
  }

  /** Pool counters (how many contexts exist, are busy, and how many requests wait). */
  stats(): NativeModelStats {
    return { chat: this.chatPool.stats(), embed: this.embedPool.stats(), threads: this.chatPool.resources().map((s) => s.context.currentThreads) };
  }

  /** Frees contexts and the model; later calls fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const slot of this.chatPool.drain()) await slot.context.dispose();
    for (const ctx of this.embedPool.drain()) await ctx.dispose();
    await this.model.dispose();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`local model ${this.id} is closed`);
  }

  private grammarFor(format: ChatRequest['response_format']): Promise<LlamaGrammar> | undefined {
    if (!format || format.type === 'text') return undefined;
    if (format.type !== 'json_object' && format.type !== 'json_schema') {
      throw new SovraError('bad-input', `response_format.type must be text, json_object or json_schema, got ${JSON.stringify((format as { type: unknown }).type)}.`);
    }
    const key = format.type === 'json_object' ? 'json' : JSON.stringify(format.json_schema?.schema);
    let grammar = this.grammars.get(key);
    if (!grammar) {
      grammar = (async () => {
        if (format.type === 'json_object') return this.llama.getGrammarFor('json');
        const schema = format.json_schema?.schema;
        if (schema === null || typeof schema !== 'object') throw new SovraError('bad-input', 'response_format.json_schema.schema must be a JSON schema object.');
        try {
          return await this.llama.createGrammarForJsonSchema(schema as never);
        } catch (e) {
          throw new SovraError('bad-input', `response_format.json_schema.schema cannot be used for constrained output: ${(e as Error).message}`, { cause: e });
        }
      })();
      grammar.catch(() => this.grammars.delete(key));
      if (this.grammars.size >= MAX_CACHED_GRAMMARS) this.grammars.delete(this.grammars.keys().next().value as string);
      this.grammars.set(key, grammar);
    }
    return grammar;
  }

  private async generate(request: ChatRequest, signal: AbortSignal | undefined, onText: ((text: string) => void) | undefined): Promise<ChatResult> {
    this.assertOpen();
    const settings = generationSettings(request, this.contextSize);
    const grammar = await this.grammarFor(request.response_format);
    const aborted = (content: string, completion: number, prompt: number): ChatResult => ({ content, finish_reason: 'abort', usage: usage(prompt, completion) });

    let slot: ChatSlot;
    try {
      slot = await this.chatPool.acquire(signal);
    } catch (e) {
      if (signal?.aborted) return aborted('', 0, 0);
      throw e;
    }
    let text = '';
    let completion = 0;
    let prompt: number | undefined;
    const emit = (chunk: string): void => {
      if (chunk === '') return;
      text += chunk;
      onText?.(chunk);
    };
    // node-llama-cpp trims the leading space of the first generated piece (and reports the trimmed
    // token to onToken), which is right for a new answer but glues a continuation to the text before
    // it: hold the first chunk until the real token is in the sequence, then restore its space.
    // Only a continuation pays this one token of latency.
    const prefix = request.continue_from ? this.model.tokenize(request.continue_from).slice(-8) : undefined;
    let pending: string | undefined;
    let started = false;
    const flush = (): void => {
      if (pending === undefined) return;
      const real = prompt === undefined ? undefined : slot.sequence.contextTokens[prompt];
      emit(real === undefined || !prefix ? pending : this.restoreSpace(pending, real, prefix));
      pending = undefined;
    };
    try {
      const res = await slot.chat.generateResponse(settings.history, {
        maxTokens: settings.maxTokens,
        temperature: settings.temperature,
        topP: settings.topP,
        seed: settings.seed,
        customStopTriggers: settings.stop.length > 0 ? settings.stop : undefined,
        grammar,
        signal,
        stopOnAbortSignal: true,
        onToken: (tokens) => {
          // Before the first generated token is evaluated, the sequence holds exactly the prompt.
          prompt ??= slot.sequence.contextTokens.length;
          completion += tokens.length;
        },
        onTextChunk: (chunk) => {
          if (prefix && !started && chunk !== '') {
            started = true;
            pending = chunk;
            return;
          }
          flush();
          emit(chunk);
        },
      });
      flush();
      const finish = FINISH[res.metadata.stopReason] ?? 'stop';
      return { content: text, finish_reason: finish, usage: usage(prompt ?? slot.sequence.nextTokenIndex, completion) };
    } catch (e) {
      flush();
      if (signal?.aborted) return aborted(text, completion, prompt ?? 0);
      throw e;
    } finally {
      this.chatPool.release(slot);
    }
  }

  /** `chunk` with the leading whitespace that token `real` has when it follows `prefix`. */
  private restoreSpace(chunk: string, real: number, prefix: readonly number[]): string {
    if (/^\s/.test(chunk)) return chunk;
    const inContext = this.model.detokenize([real] as never, false, prefix as never);
    const lead = /^\s+/.exec(inContext)?.[0] ?? '';
    return lead !== '' && inContext.slice(lead.length).startsWith(chunk.slice(0, 1)) ? lead + chunk : chunk;
  }
}
