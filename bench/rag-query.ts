/**
 * RAG query latency on the embedded default (PGlite + pgvector HNSW, in a
 * data directory) at 10k and 100k chunks, through `RagStore.query` (the path
 * of `POST /v1/rag/query` minus HTTP and the embedding call). Reference in
 * the same run: the same query as an exact scan (index off), and recall@k of
 * the index against it.
 *
 *   npx tsx bench/rag-query.ts [--sizes 10000,100000] [--dims 64] [--queries 200] [--k 5] [--ef-search 40,100]
 *
 * The chunks are random unit vectors (seeded, so every run has the same data)
 * bulk-inserted 5,000 rows per statement; the HNSW index (m 16,
 * ef_construction 64, pgvector defaults) is built after loading. Query vectors
 * come from the same distribution (uniform directions: the hardest case for
 * an approximate index; real embeddings cluster). Each size is queried at
 * every `--ef-search` value (the store's default is 100).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openRagStore, topKSql, vectorLiteral } from '../services/rag/index.js';
import { openStorage } from '../services/storage/open.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000' },
    dims: { type: 'string', default: '64' },
    queries: { type: 'string', default: '200' },
    k: { type: 'string', default: '5' },
    'ef-search': { type: 'string', default: '40,100' },
  },
});
const SIZES = values.sizes.split(',').map(Number);
const DIMS = Number(values.dims);
const QUERIES = Number(values.queries);
const K = Number(values.k);
const EF = values['ef-search'].split(',').map(Number);
const EXACT_QUERIES = 30;
const TENANT = 'bench';

/** mulberry32: small seeded PRNG, so the data are the same every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function unitVector(r: () => number): number[] {
  const v = Array.from({ length: DIMS }, () => r() * 2 - 1);
  const n = Math.hypot(...v);
  return v.map((x) => Number((x / n).toFixed(6)));
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const ms = (x: number) => x.toFixed(2);

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sovra-bench-rag-'));
const storage = await openStorage({ dataDir: path.join(root, 'data') });
try {
  await storage.query("SET maintenance_work_mem = '256MB'");
  const data = rng(1);
  const queryRng = rng(2);
  const queryVectors = Array.from({ length: QUERIES }, () => unitVector(queryRng));
  const BENCH_MODEL = 'bench-random';
  const embedderFor = (v: number[]) => async () => ({ vectors: [v], model: BENCH_MODEL });
  const indexName = `rag_chunks_hnsw_${DIMS}`;
  console.log(`# RAG query latency: PGlite data dir, ${DIMS}-d vectors, top-${K}, ${QUERIES} queries per size (${EXACT_QUERIES} for the exact-scan reference)`);
  const rows: string[] = [
    '| chunks | ef_search | load s | index build s | HNSW p50 ms | p95 ms | p99 ms | exact scan p50 ms | exact / HNSW (p50) | recall@k |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  let loaded = 0;
  for (const size of SIZES) {
    await storage.query(`DROP INDEX IF EXISTS ${indexName}`);
    const t0 = performance.now();
    while (loaded < size) {
      const n = Math.min(5000, size - loaded);
      const batch = Array.from({ length: n }, (_, i) => ({
        s: `doc-${loaded + i}`,
        t: `passage ${loaded + i}`,
        e: vectorLiteral(unitVector(data)),
      }));
      await storage.query(
        `INSERT INTO rag_chunks (tenant, source_id, chunk_index, text, metadata, dims, embedding, embedding_model)
         SELECT $1, s, 0, t, '{}', $2, e::vector, $4 FROM json_to_recordset($3::json) AS r(s text, t text, e text)`,
        [TENANT, DIMS, JSON.stringify(batch), BENCH_MODEL],
      );
      loaded += n;
    }
    const loadS = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    await storage.query(`CREATE INDEX ${indexName} ON rag_chunks USING hnsw ((embedding::vector(${DIMS})) vector_cosine_ops) WHERE dims = ${DIMS}`);
    await storage.query('ANALYZE rag_chunks');
    const indexS = (performance.now() - t1) / 1000;
    const plan = (
      await storage.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN ${topKSql(DIMS)
          .replaceAll('$1', `'${vectorLiteral(queryVectors[0]!)}'`)
          .replaceAll('$2', `'${TENANT}'`)
          .replaceAll('$3', String(K))}`,
      )
    ).rows
      .map((r) => r['QUERY PLAN'])
      .join('\n');
    const usesIndex = plan.includes(indexName);

    for (const ef of EF) {
      const rag = await openRagStore(storage, { efSearch: ef });
      for (let i = 0; i < 10; i++) await rag.query(TENANT, 'warm-up', K, embedderFor(queryVectors[i]!));
      const lat: number[] = [];
      const hnswHits: string[][] = [];
      for (const v of queryVectors) {
        const s = performance.now();
        const hits = await rag.query(TENANT, 'q', K, embedderFor(v));
        lat.push(performance.now() - s);
        hnswHits.push(hits.map((h) => h.sourceId));
      }
      lat.sort((a, b) => a - b);

      const exactLat: number[] = [];
      let found = 0;
      for (let i = 0; i < EXACT_QUERIES; i++) {
        const s = performance.now();
        const exact = await storage.transaction(async (tx) => {
          await tx.query('SET LOCAL enable_indexscan = off');
          return (await tx.query<{ source_id: string }>(topKSql(DIMS), [vectorLiteral(queryVectors[i]!), TENANT, K])).rows.map((r) => r.source_id);
        });
        exactLat.push(performance.now() - s);
        found += exact.filter((id) => hnswHits[i]!.includes(id)).length;
      }
      exactLat.sort((a, b) => a - b);
      const recall = found / (EXACT_QUERIES * K);
      console.log(
        `${size} chunks, ef_search ${ef}: load ${loadS.toFixed(1)} s, index ${indexS.toFixed(1)} s, plan uses ${usesIndex ? indexName : 'NO INDEX'}; ` +
          `HNSW p50 ${ms(pct(lat, 50))} p95 ${ms(pct(lat, 95))} p99 ${ms(pct(lat, 99))} ms; exact p50 ${ms(pct(exactLat, 50))} ms; recall@${K} ${recall.toFixed(3)}`,
      );
      rows.push(
        `| ${size} | ${ef} | ${loadS.toFixed(1)} | ${indexS.toFixed(1)} | ${ms(pct(lat, 50))} | ${ms(pct(lat, 95))} | ${ms(pct(lat, 99))} | ${ms(pct(exactLat, 50))} | **${(
          pct(exactLat, 50) / pct(lat, 50)
        ).toFixed(1)}×** | ${recall.toFixed(3)} |`,
      );
    }
  }
  console.log('');
  console.log(rows.join('\n'));
} finally {
  await storage.close();
  fs.rmSync(root, { recursive: true, force: true });
}
