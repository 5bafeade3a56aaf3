/**
 * The RAG store on PGlite with pgvector (the embedded default), with a real
 * deterministic embedder (feature hashing): chunking, ingest, top-k with
 * scores recomputed here, tenant isolation, Idempotency-Key replay and
 * conflict, the HNSW index being usable by the query; and on Debian's
 * PostgreSQL 15, which has no pgvector, a clear configuration error.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isSovraError } from '../../core/errors.js';
import { cosine, hashEmbedder, hashEmbedding } from '../../test/support/embedder.js';
import { startPostgres } from '../../test/support/postgres.js';
import { ProblemError } from '../errors.js';
import { openStorage } from '../storage/open.js';
import type { Storage } from '../storage/types.js';
import { chunkText } from './chunk.js';
import { openRagStore, topKSql, vectorLiteral } from './store.js';
import type { RagDocument, RagStore } from './types.js';

const TOPICS = ['kubernetes admission policy', 'audit trail checkpoint', 'vector search index', 'oidc bearer token', 'tiered inference failover', 'sbom license policy'];
function corpus(n: number): RagDocument[] {
  return Array.from({ length: n }, (_, i) => ({ id: `doc-${String(i).padStart(2, '0')}`, text: `Note ${i} about ${TOPICS[i % TOPICS.length]} number ${i}.`, metadata: { topic: TOPICS[i % TOPICS.length]! } }));
}

let storage: Storage;
let rag: RagStore;
beforeAll(async () => {
  storage = await openStorage({});
  rag = await openRagStore(storage, { chunking: { maxChars: 200, overlapChars: 40 }, embedBatch: 8 });
});
afterAll(async () => {
  await storage?.close();
});
beforeEach(async () => {
  await storage.query('DELETE FROM rag_chunks');
  await storage.query('DELETE FROM idempotency_keys');
});

describe('chunkText', () => {
  it('cuts at word boundaries within the limit, overlaps, and keeps every word', () => {
    const words = Array.from({ length: 300 }, (_, i) => `w${i}`);
    const chunks = chunkText(`  ${words.join(' \n ')}  `, { maxChars: 100, overlapChars: 20 });
    expect(chunks.length).toBeGreaterThan(10);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(100);
      expect(c).toMatch(/^w\d+( w\d+)*$/);
    }
    for (let i = 1; i < chunks.length; i++) {
      const prevWords = chunks[i - 1]!.split(' ');
      expect(prevWords).toContain(chunks[i]!.split(' ')[0]);
    }
    expect(new Set(chunks.flatMap((c) => c.split(' ')))).toEqual(new Set(words));
    expect(chunkText(words.join(' '), { maxChars: 100, overlapChars: 20 })).toEqual(chunks);
    expect(chunkText('   ')).toEqual([]);
    expect(chunkText('x'.repeat(250), { maxChars: 100, overlapChars: 10 })).toEqual(['x'.repeat(100), 'x'.repeat(100), 'x'.repeat(50)]);
  });
});

describe('RAG store on PGlite with pgvector', () => {
  it('returns the top-k passages with their cosine scores and source ids, per tenant', async () => {
    const docs = corpus(30);
    const embed = hashEmbedder();
    expect(await rag.ingest('acme', docs, embed)).toEqual({ documents: 30, chunks: 30, replayed: false });
    expect(embed.texts).toBe(30);
    expect(embed.calls).toBe(4); // batches of 8
    await rag.ingest('globex', [{ id: 'other', text: 'audit trail checkpoint audit trail checkpoint' }], embed);

    const question = 'how is the audit trail checkpoint signed';
    const hits = await rag.query('acme', question, 5, embed);
    const q = hashEmbedding(question);
    const exact = new Map(docs.map((d) => [d.id, cosine(q, hashEmbedding(d.text))]));
    // pgvector computes in float4: scores agree to about 1e-6, and near-ties may order either way.
    expect(hits).toHaveLength(5);
    hits.forEach((h, i) => {
      expect(h.score).toBeCloseTo(exact.get(h.sourceId)!, 5);
      expect(h.chunkIndex).toBe(0);
      if (i > 0) expect(h.score).toBeLessThanOrEqual(hits[i - 1]!.score);
    });
    const best = [...exact.values()].sort((a, b) => b - a);
    expect(hits[0]!.score).toBeCloseTo(best[0]!, 5);
    // Nothing left out scores higher than the lowest passage returned.
    for (const [id, score] of exact) if (!hits.some((h) => h.sourceId === id)) expect(score).toBeLessThanOrEqual(hits[4]!.score + 1e-5);
    expect(hits[0]!.text).toContain('audit trail checkpoint');
    // The other tenant's closer document is never returned.
    expect(hits.map((h) => h.sourceId)).not.toContain('other');
    expect((await rag.query('globex', question, 5, embed)).map((h) => h.sourceId)).toEqual(['other']);
    expect(await rag.query('nobody', question, 5, embed)).toEqual([]);
  });

  it('records the embedding model of every chunk: a query by another model never meets them, and says which model they need', async () => {
    await rag.ingest('initech', [{ id: 'doc', text: 'the audit trail is hash chained' }], hashEmbedder(64, 'model-a'));
    const stored = await storage.query<{ embedding_model: string }>("SELECT embedding_model FROM rag_chunks WHERE tenant = 'initech'");
    expect(stored.rows).toEqual([{ embedding_model: 'model-a' }]);
    expect((await rag.query('initech', 'audit trail', 3, hashEmbedder(64, 'model-a'))).map((h) => h.sourceId)).toEqual(['doc']);
    // Same dimensions, another model: comparing would give meaningless scores, so it is refused by name.
    const err = await rag.query('initech', 'audit trail', 3, hashEmbedder(64, 'model-b')).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 409, code: 'embedding_model_mismatch', param: 'embedding_model' });
    expect((err as Error).message).toContain('embedded with model-b, but this tenant\'s documents were embedded with model-a');
    // An ingest whose batches come from two models is refused before anything is written.
    let n = 0;
    const flipping = async (inputs: string[]) => ({ vectors: inputs.map(() => [1, 0]), model: n++ === 0 ? 'model-a' : 'model-b' });
    const many = Array.from({ length: 20 }, (_, i) => ({ id: `m${i}`, text: `text ${i}` }));
    expect(await rag.ingest('initech', many, flipping).catch((e: unknown) => e)).toMatchObject({ status: 502, code: 'bad_embeddings', param: 'embedding_model' });
    expect((await storage.query("SELECT 1 FROM rag_chunks WHERE tenant = 'initech'")).rowCount).toBe(1);
  });

  it('chunks long documents and re-ingesting a document replaces its chunks', async () => {
    const long = Array.from({ length: 60 }, (_, i) => `sentence ${i} on kubernetes admission.`).join(' ');
    const embed = hashEmbedder();
    const first = await rag.ingest('acme', [{ id: 'long', text: long }], embed);
    expect(first.chunks).toBe(chunkText(long, { maxChars: 200, overlapChars: 40 }).length);
    expect(first.chunks).toBeGreaterThan(5);
    await rag.ingest('acme', [{ id: 'long', text: 'now a single short chunk about kubernetes' }], embed);
    const rows = await storage.query<{ chunk_index: number }>("SELECT chunk_index FROM rag_chunks WHERE source_id = 'long'");
    expect(rows.rowCount).toBe(1);
  });

  it('Idempotency-Key: a retry replays without embedding or writing again; another body is a 409; keys are per tenant', async () => {
    const docs = corpus(5);
    const embed = hashEmbedder();
    const first = await rag.ingest('acme', docs, embed, { key: 'key-1' });
    expect(first).toEqual({ documents: 5, chunks: 5, replayed: false });
    const calls = embed.calls;
    expect(await rag.ingest('acme', docs, embed, { key: 'key-1' })).toEqual({ documents: 5, chunks: 5, replayed: true });
    expect(embed.calls).toBe(calls);
    expect((await storage.query('SELECT 1 FROM rag_chunks')).rowCount).toBe(5);

    const err = await rag.ingest('acme', corpus(6), embed, { key: 'key-1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProblemError);
    expect(err).toMatchObject({ status: 409, code: 'idempotency_key_reused', param: 'Idempotency-Key' });
    // The same documents with another option (embedding model) are another request.
    const other = await rag.ingest('acme', docs, embed, { key: 'key-1', request: { embedding_model: 'other-embedder' } }).catch((e: unknown) => e);
    expect(other).toMatchObject({ status: 409, code: 'idempotency_key_reused' });
    expect(embed.calls).toBe(calls);
    // An option left undefined is the same as one not given.
    expect((await rag.ingest('acme', docs, embed, { key: 'key-1', request: { embedding_model: undefined } })).replayed).toBe(true);

    expect((await rag.ingest('globex', docs, embed, { key: 'key-1' })).replayed).toBe(false);
  });

  it('Idempotency-Key: concurrent identical requests write once and one of them replays', async () => {
    const docs = corpus(4);
    const results = await Promise.all([1, 2, 3].map(() => rag.ingest('acme', docs, hashEmbedder(), { key: 'same' })));
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(results.every((r) => r.chunks === 4)).toBe(true);
    expect((await storage.query('SELECT 1 FROM rag_chunks')).rowCount).toBe(4);
  });

  it('rejects embeddings it cannot store or compare, and duplicate document ids', async () => {
    const cases: [string, (inputs: string[]) => Promise<number[][]>][] = [
      ['returned 1 vectors for 2', async () => [[1, 0]]],
      ['non-finite', async (i) => i.map(() => [1, Number.NaN])],
      ['all-zero', async (i) => i.map(() => [0, 0])],
      ['different or zero dimensions', async (i) => i.map((_, k) => (k === 0 ? [1, 0] : [1, 0, 0]))],
    ];
    for (const [message, embed] of cases) {
      const err = await rag.ingest('acme', [{ id: 'a', text: 'x' }, { id: 'b', text: 'y' }], async (i) => ({ vectors: await embed(i), model: 'm' })).catch((e: unknown) => e);
      expect(err).toMatchObject({ status: 502, code: 'bad_embeddings' });
      expect((err as Error).message).toContain(message);
    }
    const dup = await rag.ingest('acme', [{ id: 'a', text: 'x' }, { id: 'a', text: 'y' }], hashEmbedder()).catch((e: unknown) => e);
    expect(dup).toMatchObject({ status: 400, param: 'documents' });
    expect((await storage.query('SELECT 1 FROM rag_chunks')).rowCount).toBe(0);
  });

  it('the top-k query can use the per-dimension HNSW index', async () => {
    await rag.ingest('acme', corpus(20), hashEmbedder());
    const plan = await storage.transaction(async (tx) => {
      // Tiny table: keep the planner off the plans that win at this size, so the plan shows whether
      // the query's expression and predicate match the partial HNSW index at all.
      await tx.query('SET LOCAL enable_seqscan = off');
      await tx.query('SET LOCAL enable_bitmapscan = off');
      const r = await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${topKSql(64)}`.replaceAll('$1', `'${vectorLiteral(hashEmbedding('audit'))}'`).replace('$2', `'acme'`).replace('$3', '5').replace('$4', `'hash-64'`));
      return r.rows.map((x) => x['QUERY PLAN']).join('\n');
    });
    expect(plan).toContain('rag_chunks_hnsw_64');
  });
});

describe('RAG store on PostgreSQL 15 without pgvector', () => {
  it('is a configuration error that says how to get pgvector', async () => {
    const server = await startPostgres();
    try {
      const s = await openStorage({ databaseUrl: server.url });
      try {
        expect(s.hasVector).toBe(false);
        const err = await openRagStore(s).catch((e: unknown) => e);
        expect(isSovraError(err) && err.code).toBe('bad-config');
        expect((err as Error).message).toContain('postgresql-15-pgvector');
        // Idempotency keys and the audit trail do not need the extension.
        expect((await s.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'idempotency_keys'")).rowCount).toBe(1);
      } finally {
        await s.close();
      }
    } finally {
      await server.stop();
    }
  });
});
