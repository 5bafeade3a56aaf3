/** Retrieval-augmented generation over pgvector: chunking, ingest with idempotency, top-k search. */
export { ingestDigest, openRagStore, topKSql, vectorLiteral, INGEST_SCOPE, MAX_INDEXED_DIMS, PGVECTOR_MISSING, type RagStoreOptions } from './store.js';
export { chunkText, type ChunkOptions } from './chunk.js';
export type { Embedder, Embeddings, IngestIdempotency, IngestResult, Passage, RagDocument, RagStore } from './types.js';
