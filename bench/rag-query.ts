/**
 * RAG query latency and recall on the two storage paths of the control
 * plane, in one run over the same data: the embedded default (PGlite +
 * pgvector in a data directory) and a PostgreSQL server (Debian's
 * PostgreSQL 15 with pgvector 0.8.6 built from the reference data's source,
 * started by the bench on 127.0.0.1: bench/support/pgvector.ts). Latency is
 * `RagStore.query` (the path of `POST /v1/rag/query` minus HTTP and the
 * embedding call) at the store's default `ef_search`; recall@k is measured
 * against an exact scan of the same SQL with index scans off.
 *
 *   npx tsx bench/rag-query.ts [--backends pglite,server] [--size 100000] [--dims 64]
 *     [--clusters 200] [--spread 0.35] [--queries 200] [--k 5] [--ef-search <n>] [--max-seconds 1500]
 *
 * Data set (seeded, the same every run): `--clusters` topic centres drawn
 * uniformly on the unit sphere; each chunk is a centre plus Gaussian noise
 * of standard deviation `--spread` / sqrt(dims) per coordinate, normalised
 * (cosine to its centre about 0.94 at the defaults), the centre chosen
 * uniformly; queries are drawn the same way from the same centres, so a
 * query's true neighbours are chunks of its topic, as with real embeddings
 * of a corpus and questions about it. Chunks are bulk-inserted 5,000 per
 * statement; the HNSW index (pgvector defaults m 16, ef_construction 64) is
 * built after loading.
 *
 * Time is bounded: the bench stops with exit status 3 when `--max-seconds`
 * has passed (checked between phases). It is not part of the test suite.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openRagStore, topKSql, vectorLiteral } from '../services/rag/index.js';
import { openStorage } from '../services/storage/open.js';
import type { Storage } from '../services/storage/types.js';
import { startPgvectorServer } from './support/pgvector.js';

const { values } = parseArgs({
  options: {
    backends: { type: 'string', default: 'pglite,server' },
    size: { type: 'string', default: '100000' },
    dims: { type: 'string', default: '64' },
    clusters: { type: 'string', default: '200' },
    spread: { type: 'string', default: '0.35' },
    queries: { type: 'string', default: '200' },
    k: { type: 'string', default: '5' },
    'ef-search': { type: 'string' },
    'max-seconds': { type: 'string', default: '1500' },
  },
});
const BACKENDS = values.backends.split(',') as Array<'pglite' | 'server'>;
const SIZE = Number(values.size);
const DIMS = Number(values.dims);
const CLUSTERS = Number(values.clusters);
const SPREAD = Number(values.spread);
const QUERIES = Number(values.queries);
const K = Number(values.k);
const EF = values['ef-search'] === undefined ? undefined : Number(values['ef-search']);
const DEADLINE = performance.now() + Number(values['max-seconds']) * 1000;
const EXACT_QUERIES = 50;
const TENANT = 'bench';
const MODEL = 'bench-clustered';

function checkTime(phase: string): void {
  if (performance.now() > DEADLINE) {
    console.error(`rag-query: --max-seconds ${values['max-seconds']} passed before ${phase}; stopping.`);
    process.exit(3);
  }
}

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
/** Standard normal (Box–Muller). */
function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}
function normalise(v: number[]): number[] {
  const n = Math.hypot(...v);
  return v.map((x) => Number((x / n).toFixed(6)));
}
const centreRng = rng(7);
const centres = Array.from({ length: CLUSTERS }, () => normalise(Array.from({ length: DIMS }, () => gauss(centreRng))));
function member(r: () => number): number[] {
  const c = centres[Math.floor(r() * CLUSTERS)]!;
  const sigma = SPREAD / Math.sqrt(DIMS);
  return normalise(c.map((x) => x + sigma * gauss(r)));
}
const dataRng = rng(1);
const chunks = Array.from({ length: SIZE }, () => vectorLiteral(member(dataRng)));
const queryRng = rng(2);
const queryVectors = Array.from({ length: QUERIES }, () => member(queryRng));

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const ms = (x: number) => x.toFixed(2);

interface Row {
  backend: string;
  loadS: number;
  indexS: number;
  usesIndex: boolean;
  p50: number;
  p95: number;
  p99: number;
  exactP50: number;
  recall: number;
  ef: string;
  /** Median server execution time of the top-k query (EXPLAIN ANALYZE). */
  execP50: number;
  /** 1-minute load average at the end of the measurement. */
  load: number;
}

async function measure(backend: string, storage: Storage): Promise<Row> {
  const indexName = `rag_chunks_hnsw_${DIMS}`;
  checkTime(`loading ${backend}`);
  const t0 = performance.now();
  for (let loaded = 0; loaded < SIZE; loaded += 5000) {
    const batch = chunks.slice(loaded, loaded + 5000).map((e, i) => ({ s: `doc-${loaded + i}`, t: `passage ${loaded + i}`, e }));
    await storage.query(
      `INSERT INTO rag_chunks (tenant, source_id, chunk_index, text, metadata, dims, embedding, embedding_model)
       SELECT $1, s, 0, t, '{}', $2, e::vector, $4 FROM json_to_recordset($3::json) AS r(s text, t text, e text)`,
      [TENANT, DIMS, JSON.stringify(batch), MODEL],
    );
  }
  const loadS = (performance.now() - t0) / 1000;
  checkTime(`indexing ${backend}`);
  const t1 = performance.now();
  await storage.query(`DROP INDEX IF EXISTS ${indexName}`);
  await storage.query(`CREATE INDEX ${indexName} ON rag_chunks USING hnsw ((embedding::vector(${DIMS})) vector_cosine_ops) WHERE dims = ${DIMS}`);
  await storage.query('ANALYZE rag_chunks');
  const indexS = (performance.now() - t1) / 1000;
  const explain = `EXPLAIN ${topKSql(DIMS).replaceAll('$1', `'${vectorLiteral(queryVectors[0]!)}'`).replaceAll('$2', `'${TENANT}'`).replaceAll('$3', String(K)).replaceAll('$4', `'${MODEL}'`)}`;
  const usesIndex = (await storage.query<{ 'QUERY PLAN': string }>(explain)).rows.some((r) => r['QUERY PLAN'].includes(indexName));

  checkTime(`querying ${backend}`);
  const rag = await openRagStore(storage, EF === undefined ? {} : { efSearch: EF });
  const embed = (v: number[]) => async () => ({ vectors: [v], model: MODEL });
  for (let i = 0; i < 10; i++) await rag.query(TENANT, 'warm-up', K, embed(queryVectors[i]!));
  const lat: number[] = [];
  const hits: string[][] = [];
  for (const v of queryVectors) {
    const s = performance.now();
    const h = await rag.query(TENANT, 'q', K, embed(v));
    lat.push(performance.now() - s);
    hits.push(h.map((x) => x.sourceId));
  }
  lat.sort((a, b) => a - b);
  const exactLat: number[] = [];
  let found = 0;
  for (let i = 0; i < Math.min(EXACT_QUERIES, QUERIES); i++) {
    const s = performance.now();
    const exact = await storage.transaction(async (tx) => {
      await tx.query('SET LOCAL enable_indexscan = off');
      return (await tx.query<{ source_id: string }>(topKSql(DIMS), [vectorLiteral(queryVectors[i]!), TENANT, K, MODEL])).rows.map((r) => r.source_id);
    });
    exactLat.push(performance.now() - s);
    found += exact.filter((id) => hits[i]!.includes(id)).length;
  }
  exactLat.sort((a, b) => a - b);
  // The server's own time for the top-k query (EXPLAIN ANALYZE "Execution Time"), apart from round trips and client scheduling.
  const execMs: number[] = [];
  for (const v of queryVectors.slice(0, 50)) {
    const plan = await storage.transaction(async (tx) => {
      await tx.query(`SELECT set_config('hnsw.ef_search', $1, true)`, [String(Math.max(EF ?? 100, K * 2))]);
      return (await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE) ${topKSql(DIMS)}`, [vectorLiteral(v), TENANT, K, MODEL])).rows.map((r) => r['QUERY PLAN']);
    });
    const m = /Execution Time: ([\d.]+) ms/.exec(plan.join('\n'));
    if (m) execMs.push(Number(m[1]));
  }
  execMs.sort((a, b) => a - b);
  const row: Row = {
    backend,
    loadS,
    indexS,
    usesIndex,
    p50: pct(lat, 50),
    p95: pct(lat, 95),
    p99: pct(lat, 99),
    exactP50: pct(exactLat, 50),
    recall: found / (Math.min(EXACT_QUERIES, QUERIES) * K),
    ef: EF === undefined ? '100 (store default)' : String(EF),
    execP50: execMs.length > 0 ? pct(execMs, 50) : NaN,
    load: os.loadavg()[0]!,
  };
  console.log(`${backend}: ${JSON.stringify(row)}`);
  return row;
}

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sovra-bench-rag-'));
const rows: Row[] = [];
console.log(`# RAG query: ${SIZE} chunks, ${DIMS}-d, ${CLUSTERS} clusters (spread ${SPREAD}), top-${K}, ${QUERIES} queries (${EXACT_QUERIES} for recall), backends ${BACKENDS.join(', ')}`);
try {
  for (const backend of BACKENDS) {
    if (backend === 'pglite') {
      const storage = await openStorage({ dataDir: path.join(root, 'pglite') });
      try {
        await storage.query("SET maintenance_work_mem = '256MB'");
        rows.push(await measure('PGlite (WASM, data dir)', storage));
      } finally {
        await storage.close();
      }
    } else {
      checkTime('starting the server');
      const server = await startPgvectorServer({ shared_buffers: '256MB', maintenance_work_mem: '512MB', max_parallel_maintenance_workers: '1' });
      try {
        const storage = await openStorage({ databaseUrl: server.url });
        try {
          const version = (await storage.query<{ v: string }>("SELECT current_setting('server_version') || ' + pgvector ' || extversion AS v FROM pg_extension WHERE extname = 'vector'")).rows[0]!.v;
          rows.push(await measure(`PostgreSQL ${version} (127.0.0.1)`, storage));
        } finally {
          await storage.close();
        }
      } finally {
        await server.stop();
      }
    }
  }
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
console.log('');
console.log('| backend | ef_search | p50 ms | p95 ms | p99 ms | execution p50 ms (EXPLAIN ANALYZE) | exact scan p50 ms | recall@' + K + ' | load s | index build s | plan uses index | load avg |');
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |');
for (const r of rows) {
  console.log(`| ${r.backend} | ${r.ef} | ${ms(r.p50)} | ${ms(r.p95)} | ${ms(r.p99)} | ${ms(r.execP50)} | ${ms(r.exactP50)} | ${r.recall.toFixed(3)} | ${r.loadS.toFixed(1)} | ${r.indexS.toFixed(1)} | ${r.usesIndex ? 'yes' : 'NO'} | ${r.load.toFixed(1)} |`);
}
