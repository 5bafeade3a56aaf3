/** Retrieval-augmented generation storage over pgvector. */

/** Turns texts into vectors (the control plane passes its routed embeddings call). */
export type Embedder = (inputs: string[]) => Promise<number[][]>;

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

/** Chunks, embeds, stores and searches documents per tenant. */
export interface RagStore {
  ingest(tenant: string, documents: readonly RagDocument[], embed: Embedder, idempotencyKey?: string): Promise<IngestResult>;
  query(tenant: string, text: string, topK: number, embed: Embedder): Promise<Passage[]>;
}
