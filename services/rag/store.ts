/**
 * The RAG store on pgvector: documents → chunks → embeddings → rows of
 * `rag_chunks`, searched by cosine distance through an HNSW index per
 * embedding dimension. Ingest honours an `Idempotency-Key`: a retry with the
 * same documents and options (embedding model, …) returns the first result
 * without writing again; the same key with another request is a 409.
 */
import { canonicalJson } from '../../core/canonical.js';
import { SovraError } from '../../core/errors.js';
import { sha256Hex } from '../../core/hash.js';
import { ProblemError } from '../errors.js';
import type { Queryable, Storage } from '../storage/types.js';
import { chunkText, type ChunkOptions } from './chunk.js';
import type { Embedder, IngestIdempotency, IngestResult, Passage, RagDocument, RagStore } from './types.js';

/** Options of `openRagStore`. */
export interface RagStoreOptions {
  readonly chunking?: ChunkOptions;
  /** Most texts in one call of the embedder. @default 256 */
  readonly embedBatch?: number;
  /** Most chunks one ingest call may produce. @default 20000 */
  readonly maxChunks?: number;
  /** HNSW candidate list size per query (`hnsw.ef_search`; at least 2 × top_k is used): higher finds more of the true nearest at some latency. @default 100 */
  readonly efSearch?: number;
}

/** Scope of RAG ingest keys in `idempotency_keys`. */
export const INGEST_SCOPE = 'rag.ingest';
/** pgvector's largest dimension an HNSW index takes. */
export const MAX_INDEXED_DIMS = 2000;

/** Why retrieval is off on a PostgreSQL server without pgvector, and how to turn it on. */
export const PGVECTOR_MISSING =
  'Retrieval needs the pgvector extension, and the PostgreSQL server in DATABASE_URL does not have it. Install it on the server (Debian/Ubuntu with the PGDG repository: apt-get install postgresql-15-pgvector; then CREATE EXTENSION vector as a superuser) and restart sovra serve, or run without DATABASE_URL to use the embedded PGlite, which has it.';

/**
 * `sha256:<hex>` of everything an idempotent ingest is judged by: the
 * documents (metadata `{}` when absent) and the other request fields
 * (`undefined` fields left out, so an omitted field equals an absent one).
 */
export function ingestDigest(documents: readonly RagDocument[], request: Readonly<Record<string, unknown>> = {}): string {
  return `sha256:${sha256Hex(canonicalJson({ documents: documents.map((d) => ({ id: d.id, text: d.text, metadata: d.metadata ?? {} })), request }))}`;
}

/** pgvector text form of a vector, e.g. `[0.1,0.2]`. */
export function vectorLiteral(v: readonly number[]): string {
  return `[${v.join(',')}]`;
}

function checkVectors(vectors: unknown, count: number, what: string): number[][] {
  if (!Array.isArray(vectors) || vectors.length !== count) {
    throw new ProblemError(502, 'bad_embeddings', `The embedding model returned ${Array.isArray(vectors) ? vectors.length : 'no'} vectors for ${count} ${what}.`);
  }
  const dims = (vectors[0] as unknown[] | undefined)?.length ?? 0;
  for (const v of vectors as unknown[]) {
    if (!Array.isArray(v) || v.length !== dims || dims === 0) {
      throw new ProblemError(502, 'bad_embeddings', `The embedding model returned vectors of different or zero dimensions (${dims} and ${Array.isArray(v) ? v.length : 'none'}).`);
    }
    let norm = 0;
    for (const x of v) {
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new ProblemError(502, 'bad_embeddings', 'The embedding model returned a vector with a non-finite component.');
      norm += x * x;
    }
    if (norm === 0) throw new ProblemError(502, 'bad_embeddings', 'The embedding model returned an all-zero vector, which has no direction to compare.');
  }
  if (dims > MAX_INDEXED_DIMS) {
    throw new ProblemError(422, 'embedding_too_large', `Embeddings of ${dims} dimensions cannot be indexed (pgvector's HNSW takes at most ${MAX_INDEXED_DIMS}); choose a smaller embedding model.`, { param: 'embedding_model' });
  }
  return vectors as number[][];
}

/**
 * The top-k query over `dims`-dimensional rows: parameters are the query vector, the tenant,
 * k and the embedding model. `dims` is inlined (an integer from a checked array length): the planner matches the
 * per-dimension partial HNSW index only against a literal. Ties are ordered by source and chunk.
 */
export function topKSql(dims: number): string {
  if (!Number.isInteger(dims) || dims < 1 || dims > MAX_INDEXED_DIMS) throw new RangeError(`dims must be an integer from 1 to ${MAX_INDEXED_DIMS}, got ${dims}`);
  return `SELECT source_id, chunk_index, text, distance FROM (
      SELECT source_id, chunk_index, text, (embedding::vector(${dims}) <=> $1::vector(${dims})) AS distance
      FROM rag_chunks WHERE dims = ${dims} AND tenant = $2 AND embedding_model = $4
      ORDER BY embedding::vector(${dims}) <=> $1::vector(${dims}) LIMIT $3
    ) AS hits ORDER BY distance, source_id, chunk_index`;
}

interface Chunk {
  readonly sourceId: string;
  readonly index: number;
  readonly text: string;
  readonly metadata: string;
}

class PgVectorRagStore implements RagStore {
  readonly #db: Storage;
  readonly #chunking: ChunkOptions;
  readonly #embedBatch: number;
  readonly #maxChunks: number;
  readonly #indexed = new Set<number>();
  readonly #iterativeScan: boolean;
  readonly #efSearch: number;

  constructor(db: Storage, options: RagStoreOptions, iterativeScan: boolean) {
    this.#db = db;
    this.#chunking = options.chunking ?? {};
    this.#embedBatch = options.embedBatch ?? 256;
    this.#maxChunks = options.maxChunks ?? 20_000;
    this.#iterativeScan = iterativeScan;
    this.#efSearch = options.efSearch ?? 100;
  }

  async ingest(tenant: string, documents: readonly RagDocument[], embed: Embedder, idempotency?: IngestIdempotency): Promise<IngestResult> {
    const idempotencyKey = idempotency?.key;
    const digest = ingestDigest(documents, idempotency?.request);
    if (idempotencyKey !== undefined) {
      const seen = await this.#seen(this.#db, tenant, idempotencyKey, digest);
      if (seen) return seen;
    }
    const ids = new Set<string>();
    for (const d of documents) {
      if (ids.has(d.id)) throw new ProblemError(400, 'invalid_request', `Document id "${d.id}" appears twice in one ingest call.`, { param: 'documents' });
      ids.add(d.id);
    }
    const chunks: Chunk[] = [];
    for (const d of documents) {
      const metadata = canonicalJson(d.metadata ?? {});
      chunkText(d.text, this.#chunking).forEach((text, index) => chunks.push({ sourceId: d.id, index, text, metadata }));
      if (chunks.length > this.#maxChunks) {
        throw new ProblemError(413, 'too_many_chunks', `These documents make more than ${this.#maxChunks} chunks; send them in several ingest calls.`, { param: 'documents' });
      }
    }
    const vectors: number[][] = [];
    let model: string | undefined;
    for (let i = 0; i < chunks.length; i += this.#embedBatch) {
      const texts = chunks.slice(i, i + this.#embedBatch).map((c) => c.text);
      const e = await embed(texts);
      if (model !== undefined && e.model !== model) {
        throw new ProblemError(502, 'bad_embeddings', `The embeddings of one ingest came from two models (${model} and ${e.model}); name embedding_model so every batch uses the same one.`, { param: 'embedding_model' });
      }
      model = e.model;
      vectors.push(...checkVectors(e.vectors, texts.length, 'chunks'));
    }
    const dims = vectors[0]?.length ?? 0;
    if (vectors.some((v) => v.length !== dims)) throw new ProblemError(502, 'bad_embeddings', 'The embedding model returned vectors of different dimensions across batches.');
    const result = { documents: documents.length, chunks: chunks.length };
    return this.#db.transaction(async (tx) => {
      if (idempotencyKey !== undefined) {
        // Claims the key first: a concurrent retry waits here for this transaction and then replays its result.
        const claimed = await tx.query(
          'INSERT INTO idempotency_keys (tenant, scope, key, body_digest, result) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING key',
          [tenant, INGEST_SCOPE, idempotencyKey, digest, JSON.stringify(result)],
        );
        if (claimed.rowCount === 0) {
          const seen = await this.#seen(tx, tenant, idempotencyKey, digest);
          if (seen) return seen;
        }
      }
      // One ingest per tenant at a time, so replacing the same documents concurrently cannot collide.
      await tx.query("SELECT pg_advisory_xact_lock(hashtextextended('sovra.rag:' || $1, 0))", [tenant]);
      // Re-ingesting a document replaces its chunks.
      await tx.query('DELETE FROM rag_chunks WHERE tenant = $1 AND source_id = ANY($2::text[])', [tenant, [...ids]]);
      if (chunks.length > 0) {
        await this.#ensureIndex(tx, dims);
        await tx.query(
          `INSERT INTO rag_chunks (tenant, source_id, chunk_index, text, metadata, dims, embedding, embedding_model)
           SELECT $1, s, i, t, m, $2, e::vector, $8 FROM unnest($3::text[], $4::int[], $5::text[], $6::text[], $7::text[]) AS u(s, i, t, m, e)`,
          [tenant, dims, chunks.map((c) => c.sourceId), chunks.map((c) => c.index), chunks.map((c) => c.text), chunks.map((c) => c.metadata), vectors.map(vectorLiteral), model ?? ''],
        );
      }
      return { ...result, replayed: false };
    });
  }

  async query(tenant: string, text: string, topK: number, embed: Embedder): Promise<Passage[]> {
    if (!(Number.isInteger(topK) && topK >= 1 && topK <= 1000)) throw new ProblemError(400, 'invalid_request', `top_k must be an integer from 1 to 1000, got ${topK}.`, { param: 'top_k' });
    const e = await embed([text]);
    const [q] = checkVectors(e.vectors, 1, 'query');
    const dims = q!.length;
    const passages = await this.#db.transaction(async (tx) => {
      // Enough candidates for top_k, and (pgvector ≥ 0.8) keep scanning when other tenants' rows are filtered out.
      await tx.query(`SELECT set_config('hnsw.ef_search', $1, true)`, [String(Math.max(this.#efSearch, topK * 2))]);
      if (this.#iterativeScan) await tx.query(`SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true)`);
      const r = await tx.query<{ source_id: string; chunk_index: number; text: string; distance: number }>(topKSql(dims), [vectorLiteral(q!), tenant, topK, e.model]);
      return r.rows.map((x) => ({ sourceId: x.source_id, chunkIndex: Number(x.chunk_index), text: x.text, score: 1 - Number(x.distance) }));
    });
    if (passages.length === 0) {
      // Nothing of this model: say so when the tenant's chunks were embedded by another one, rather than answer with nothing.
      const other = await this.#db.query<{ embedding_model: string }>('SELECT DISTINCT embedding_model FROM rag_chunks WHERE tenant = $1 AND embedding_model <> $2 ORDER BY embedding_model LIMIT 5', [tenant, e.model]);
      if (other.rows.length > 0) {
        const models = other.rows.map((x) => x.embedding_model || '(unrecorded)').join(', ');
        throw new ProblemError(409, 'embedding_model_mismatch', `The query was embedded with ${e.model}, but this tenant's documents were embedded with ${models}; name that model in embedding_model (or start sovra serve with --embedding-model), or ingest the documents again with ${e.model}.`, { param: 'embedding_model' });
      }
    }
    return passages;
  }

  /** The stored result of an earlier call with this key, or a 409 when its body differed. */
  async #seen(db: Queryable, tenant: string, key: string, digest: string): Promise<IngestResult | undefined> {
    const r = await db.query<{ body_digest: string; result: string }>('SELECT body_digest, result FROM idempotency_keys WHERE tenant = $1 AND scope = $2 AND key = $3', [tenant, INGEST_SCOPE, key]);
    const row = r.rows[0];
    if (!row) return undefined;
    if (row.body_digest !== digest) {
      throw new ProblemError(409, 'idempotency_key_reused', 'This Idempotency-Key was already used with a different request (documents or options such as embedding_model differ); use a new key for a new request.', { param: 'Idempotency-Key' });
    }
    const stored = JSON.parse(row.result) as { documents: number; chunks: number };
    return { documents: stored.documents, chunks: stored.chunks, replayed: true };
  }

  /** Creates the HNSW cosine index of `dims`-dimensional rows once. */
  async #ensureIndex(tx: Queryable, dims: number): Promise<void> {
    if (this.#indexed.has(dims)) return;
    await tx.query(
      `CREATE INDEX IF NOT EXISTS rag_chunks_hnsw_${dims} ON rag_chunks USING hnsw ((embedding::vector(${dims})) vector_cosine_ops) WHERE dims = ${dims}`,
    );
    this.#indexed.add(dims);
  }
}

/**
 * Opens the RAG store on migrated storage. Storage without pgvector (a
 * server lacking the extension) is a configuration error naming the fix.
 */
export async function openRagStore(storage: Storage, options: RagStoreOptions = {}): Promise<RagStore> {
  if (!storage.hasVector) {
    throw new SovraError('bad-config', PGVECTOR_MISSING);
  }
  const v = await storage.query<{ extversion: string }>("SELECT extversion FROM pg_extension WHERE extname = 'vector'");
  const [major = 0, minor = 0] = (v.rows[0]?.extversion ?? '0.0').split('.').map(Number);
  return new PgVectorRagStore(storage, options, major > 0 || minor >= 8);
}
