/** The local model (llama.cpp through `native/`) as the last tier. */
import { isSovraError } from '../../core/errors.js';
import type { LocalModel } from '../../native/types.js';
import { TierError, type ChatCall, type InferenceTier, type TierChatResult, type TierChunk, type TierEmbeddings, type TierModel, type TierStream } from './tier.js';

function request(call: ChatCall) {
  return {
    messages: call.messages,
    ...(call.max_tokens !== undefined ? { max_tokens: call.max_tokens } : {}),
    ...(call.temperature !== undefined ? { temperature: call.temperature } : {}),
    ...(call.top_p !== undefined ? { top_p: call.top_p } : {}),
    ...(call.seed !== undefined ? { seed: call.seed } : {}),
    ...(call.stop !== undefined ? { stop: call.stop } : {}),
    ...(call.response_format !== undefined ? { response_format: call.response_format } : {}),
    ...(call.signal !== undefined ? { signal: call.signal } : {}),
    ...(call.continueFrom ? { continue_from: call.continueFrom } : {}),
  };
}

/**
 * The tier error for what the local model threw. A request the model
 * refuses as malformed (a SovraError of kind bad-input: too many tokens, a
 * bad response_format) is the client's mistake: it goes back as a 400 and
 * no other tier is tried. Anything else means the tier failed.
 */
function unavailable(e: unknown): TierError {
  if (e instanceof TierError) return e;
  if (isSovraError(e) && e.code === 'bad-input') return new TierError('rejected', e.message, { status: 400, code: 'invalid_request_error', cause: e });
  return new TierError('unavailable', `local model failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}

/** Serves every call with the one loaded local model, whatever model was asked for; whoever loaded the model closes it. */
export class LocalTier implements InferenceTier {
  readonly name = 'local';

  constructor(private readonly model: LocalModel) {}

  async chat(call: ChatCall): Promise<TierChatResult> {
    try {
      const r = await this.model.chat(request(call));
      return { ...r, model: this.model.id, digest: this.model.digest };
    } catch (e) {
      if (call.signal?.aborted) throw e;
      throw unavailable(e);
    }
  }

  async chatStream(call: ChatCall): Promise<TierStream> {
    const source = this.model.chatStream(request(call));
    async function* chunks(): AsyncGenerator<TierChunk> {
      try {
        yield* source;
      } catch (e) {
        if (call.signal?.aborted) throw e;
        throw unavailable(e);
      }
    }
    return { model: this.model.id, digest: this.model.digest, chunks: chunks() };
  }

  async embed(inputs: readonly string[], _model: string | undefined, signal?: AbortSignal): Promise<TierEmbeddings> {
    try {
      const r = await this.model.embed(inputs, signal ? { signal } : undefined);
      return { embeddings: r.embeddings, usage: { prompt_tokens: r.usage.prompt_tokens, total_tokens: r.usage.total_tokens }, model: this.model.id, digest: this.model.digest };
    } catch (e) {
      if (signal?.aborted) throw e;
      throw unavailable(e);
    }
  }

  async models(): Promise<TierModel[]> {
    return [{ model: this.model.id, digest: this.model.digest, owned_by: 'sovra-local', created: 0 }];
  }

  async ping(): Promise<void> {}
}
