/**
 * The OpenAI-shaped interface of local inference, as the control plane's
 * local tier uses it. The control plane needs no llama.cpp knowledge: it
 * talks to a `LocalModel` only through these types.
 */

/** One chat message, as in OpenAI's chat completions API. */
export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

/** Token counts of one call, as in OpenAI's `usage` object. */
export interface Usage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
}

/** Input of a chat call. */
export interface ChatRequest {
  readonly messages: readonly ChatMessage[];
  /** Upper bound on generated tokens. */
  readonly max_tokens?: number;
  readonly temperature?: number;
  readonly top_p?: number;
  readonly seed?: number;
  readonly stop?: readonly string[];
  /** Constrains the output to JSON matching `json_schema.schema`. */
  readonly response_format?: { type: 'text' } | { type: 'json_object' } | { type: 'json_schema'; json_schema: { name: string; schema: Record<string, unknown> } };
  /** Aborting stops generation (an aborted HTTP request). */
  readonly signal?: AbortSignal;
  /**
   * Text the assistant already produced for this conversation (for example
   * by an upstream tier that failed mid-stream); generation continues it.
   */
  readonly continue_from?: string;
}

/** Result of a non-streaming chat call. */
export interface ChatResult {
  readonly content: string;
  readonly finish_reason: 'stop' | 'length' | 'abort';
  readonly usage: Usage;
}

/** One piece of a streamed chat answer; the last chunk carries `finish_reason` and `usage`. */
export interface ChatChunk {
  readonly delta: string;
  readonly finish_reason?: 'stop' | 'length' | 'abort';
  readonly usage?: Usage;
}

/** A loaded, digest-checked local model. */
export interface LocalModel {
  /** Model id as `/v1/models` lists it. */
  readonly id: string;
  /** `sha256:<hex>` of the GGUF file that was loaded. */
  readonly digest: string;
  /** Whole answer at once. */
  chat(request: ChatRequest): Promise<ChatResult>;
  /** Answer as a token stream; breaking out of the loop or aborting stops generation. */
  chatStream(request: ChatRequest): AsyncIterable<ChatChunk>;
  /** One embedding vector per input. */
  embed(inputs: readonly string[], options?: { signal?: AbortSignal }): Promise<{ embeddings: number[][]; usage: Usage }>;
  /** Frees contexts and the model. */
  close(): Promise<void>;
}
