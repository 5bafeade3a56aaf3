/**
 * What the router needs from an inference tier: an upstream
 * OpenAI-compatible server or the local model, behind one interface.
 */
import type { ChatRequest, Usage } from '../../native/types.js';

/** A chat call, already validated, in the form every tier accepts: the local model's request plus the model asked for. */
export interface ChatCall extends Omit<ChatRequest, 'continue_from'> {
  /** Model the client asked for (the local tier answers with its own). */
  readonly model: string;
  /** Text already sent to the client by a tier that failed; the answer continues it. */
  readonly continueFrom?: string;
}

/** Which model answered, as the attestation reports it. */
export interface ModelIdentity {
  readonly model: string;
  /** `sha256:<hex>` of the weights, or `unknown` when the tier does not say. */
  readonly digest: string;
}

/** A whole answer. */
export interface TierChatResult extends ModelIdentity {
  readonly content: string;
  readonly finish_reason: 'stop' | 'length' | 'abort';
  readonly usage: Usage;
}

/** A piece of a streamed answer; the last carries `finish_reason`. */
export interface TierChunk {
  readonly delta: string;
  readonly finish_reason?: 'stop' | 'length' | 'abort';
  readonly usage?: Usage;
}

/** A stream the tier has accepted (it answered 200); chunks may still fail. */
export interface TierStream extends ModelIdentity {
  readonly chunks: AsyncIterable<TierChunk>;
}

/** Embedding vectors of one call. */
export interface TierEmbeddings extends ModelIdentity {
  readonly embeddings: number[][];
  readonly usage: { prompt_tokens: number; total_tokens: number };
}

/** A model a tier serves, as `/v1/models` lists it. */
export interface TierModel extends ModelIdentity {
  readonly owned_by: string;
  readonly created: number;
}

/** One inference tier. */
export interface InferenceTier {
  /** `upstream-<n>` or `local`. */
  readonly name: string;
  chat(call: ChatCall): Promise<TierChatResult>;
  chatStream(call: ChatCall): Promise<TierStream>;
  embed(inputs: readonly string[], model: string | undefined, signal?: AbortSignal): Promise<TierEmbeddings>;
  models(signal?: AbortSignal): Promise<TierModel[]>;
  /** Resolves when the tier answers at all (for `/readyz`). */
  ping(signal?: AbortSignal): Promise<void>;
  close?(): Promise<void>;
}

/**
 * A tier's failure. `unavailable` (connection failure, timeout, 5xx, broken
 * stream) moves to the next tier; `rejected` (a 4xx: the request itself is
 * wrong) goes back to the client as is.
 */
export class TierError extends Error {
  readonly kind: 'unavailable' | 'rejected';
  /** HTTP status the tier answered, if it answered. */
  readonly status: number | undefined;
  /** The tier's own error code and field, when it sent OpenAI's error object. */
  readonly code: string | undefined;
  readonly param: string | undefined;

  constructor(kind: 'unavailable' | 'rejected', message: string, options: { status?: number; code?: string; param?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TierError';
    this.kind = kind;
    this.status = options.status;
    this.code = options.code;
    this.param = options.param;
  }
}

/** The continuation prompt sent to an upstream that takes over a broken stream. */
export const CONTINUE_PROMPT = 'Continue your previous answer exactly where it stopped. Do not repeat any of it and do not comment on the interruption.';
