/** Retrieval-augmented generation storage over pgvector. */

/** Vectors of some texts, and the model that made them. */
export interface Embeddings {
  readonly vectors: number[][];
  /** Model id as the answering tier names it; stored with each chunk, and queries only meet chunks of the same model. */
  readonly model: string;
}

/** Turns texts into vectors (the control plane passes its routed embeddings call). */
export type Embedder = (inputs: string[]) => Promise<Embeddings>;

/** A document to ingest. */
export interface RagDocument {
  /** Caller's id of the source document; cited in answers. */
  readonly id: string;
  readonly text: string;
  readonly metadata?: Record<string, string>;
}

/** Outcome of one ingest call. */
export interface IngestResult {
  readonly documents: number;
  readonly chunks: number;
  /** True when the `Idempotency-Key` was seen before and nothing was written again. */
  readonly replayed: boolean;
}

/** One retrieved passage. */
export interface Passage {
  readonly sourceId: string;
  readonly chunkIndex: number;
  readonly text: string;
  /** Cosine similarity, higher is closer. */
  readonly score: number;
}

/** Makes an ingest call idempotent. */
export interface IngestIdempotency {
  /** The caller's `Idempotency-Key`, per tenant. */
  readonly key: string;
  /**
   * Every other part of the request that decides its outcome (for the API,
   * the body's fields besides `documents`, such as `embedding_model`). It is
   * hashed with the documents: a repeat under the same key must match both to
   * be replayed, and anything else is a 409.
   */
  readonly request?: Readonly<Record<string, unknown>>;
}

/** Chunks, embeds, stores and searches documents per tenant. */
export interface RagStore {
  ingest(tenant: string, documents: readonly RagDocument[], embed: Embedder, idempotency?: IngestIdempotency): Promise<IngestResult>;
  query(tenant: string, text: string, topK: number, embed: Embedder): Promise<Passage[]>;
}
