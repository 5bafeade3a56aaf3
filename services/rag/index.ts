/** Retrieval-augmented generation over pgvector: chunking, ingest with idempotency, top-k search. */
export { openRagStore, topKSql, vectorLiteral, INGEST_SCOPE, MAX_INDEXED_DIMS, type RagStoreOptions } from './store.js';
export { chunkText, type ChunkOptions } from './chunk.js';
export type { Embedder, IngestResult, Passage, RagDocument, RagStore } from './types.js';
