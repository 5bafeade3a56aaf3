/**
 * The RAG routes end to end with real parts: POST /v1/rag/ingest and
 * /v1/rag/query over a real socket, tokens from a real OIDC issuer
 * (oidc-provider), embeddings and answers from a real OpenAI-compatible HTTP
 * upstream on loopback (deterministic bag-of-words vectors), pgvector in
 * PGlite, and the hash-chained audit trail. Then the wiring of `sovra serve`:
 * `startServer` on Debian's PostgreSQL 15, which has no pgvector (RAG off with
 * a 503 saying how to get it, chat still served and ready), and the real
 * `node bin/sovra.js serve` process doing one ingest and one query.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { collect, waitFor } from '../support/process.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openAuditTrail } from '../../services/audit/index.js';
import type { AuditTrail } from '../../services/audit/types.js';
import { openRagStore } from '../../services/rag/index.js';
import { UpstreamTier } from '../../services/routing/upstream.js';
import type { ServeConfig } from '../../services/server/config.js';
import { startServer } from '../../services/server/start.js';
import { openStorage } from '../../services/storage/index.js';
import type { Storage } from '../../services/storage/types.js';
import { cosine } from '../support/embedder.js';
import { startPostgres } from '../support/postgres.js';
import { startTestApp, type TestApp } from './support/app.js';
import { startIssuer, TEST_AUDIENCE, type TestIssuer } from './support/oidc.js';
import { startUpstream, testEmbedding, type ReceivedChat, type TestUpstream } from './support/upstream.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(ROOT, 'bin/sovra.js');

interface PassageJson {
  source_id: string;
  chunk_index: number;
  text: string;
  score: number;
}
interface QueryJson {
  object: string;
  passages: PassageJson[];
  answer?: { content: string; citations: string[]; finish_reason: string };
  sovra: Record<string, string>;
}
interface Problem {
  status: number;
  code?: string;
  detail: string;
  param?: string;
  rule?: string;
}

const DOCS = [
  { id: 'audit-policy', text: 'Audit records are hash chained, and signed checkpoints are written every hundred records.', metadata: { owner: 'security' } },
  { id: 'gpu-failover', text: 'When the upstream GPU server is down, the local model answers and the failover is counted.' },
  { id: 'oidc-tokens', text: 'Bearer tokens are verified against the issuer key set; only asymmetric algorithms are accepted.' },
];
const QUESTION = 'How are audit records signed with checkpoints?';

/** The first `[source-id]` of the passages in the system prompt, as a model citing them would answer. */
function citingAnswer(chat: ReceivedChat): string {
  const first = /\(1\) \[([^\]]+)\]/.exec(chat.messages[0]?.content ?? '')?.[1] ?? 'none';
  return `Checkpoints are signed every hundred records [${first}].`;
}

let issuer: TestIssuer;
let up: TestUpstream;
let storage: Storage;
let audit: AuditTrail;
let t: TestApp;
let acme: string;
let globex: string;

beforeAll(async () => {
  [issuer, up, storage] = await Promise.all([startIssuer(), startUpstream('alpha'), openStorage({})]);
  up.answer = citingAnswer;
  audit = await openAuditTrail(storage, {});
  t = await startTestApp({
    oidc: { issuer: issuer.issuer, audience: TEST_AUDIENCE },
    tiers: [new UpstreamTier({ name: 'upstream-0', baseUrl: up.baseUrl, timeoutMs: 5000 })],
    rateLimit: { ratePerSecond: 1000 },
    storage,
    audit,
    rag: await openRagStore(storage),
  });
  [acme, globex] = await Promise.all([issuer.token(), issuer.token({ client: 'tenant-globex' })]);
});

afterAll(async () => {
  await t?.close();
  await audit?.close();
  await storage?.close();
  await Promise.all([up?.close(), issuer?.close()]);
});

beforeEach(async () => {
  await storage.query('DELETE FROM rag_chunks');
  await storage.query('DELETE FROM idempotency_keys');
  up.embeddingCalls.length = 0;
  up.chats.length = 0;
});

function post(url: string, route: string, body: unknown, token: string, headers: Record<string, string> = {}) {
  return fetch(`${url}${route}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function ingest(token: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await post(t.url, '/v1/rag/ingest', body, token, headers);
  expect(res.status, await res.clone().text()).toBe(200);
  return { res, body: (await res.json()) as { documents: number; chunks: number; replayed: boolean; sovra: Record<string, string> } };
}

async function query(token: string, body: Record<string, unknown>) {
  const res = await post(t.url, '/v1/rag/query', body, token);
  expect(res.status, await res.clone().text()).toBe(200);
  return { res, body: (await res.json()) as QueryJson };
}

async function chunkCount(): Promise<number> {
  return Number((await storage.query<{ n: number }>('SELECT count(*)::int AS n FROM rag_chunks')).rows[0]!.n);
}

describe('ingest and query', () => {
  it('returns the top-k passages with cosine scores and source ids, best first, the matching document on top', async () => {
    const { res, body } = await ingest(acme, { documents: DOCS });
    expect(body).toMatchObject({ documents: 3, chunks: 3, replayed: false });
    expect(up.embeddingCalls).toEqual([DOCS.map((d) => d.text)]);
    expect(res.headers.get('x-sovra-tier')).toBe('upstream-0');

    const { body: q } = await query(acme, { query: QUESTION, top_k: 2 });
    expect(q.object).toBe('rag.query');
    expect(q.passages).toHaveLength(2);
    expect(q.passages[0]).toMatchObject({ source_id: 'audit-policy', chunk_index: 0, text: DOCS[0]!.text });
    // Scores are the cosine similarity of the upstream's vectors, recomputed here, in descending order.
    const expected = DOCS.map((d) => ({ id: d.id, score: cosine(testEmbedding(QUESTION), testEmbedding(d.text)) })).sort((a, b) => b.score - a.score);
    expect(q.passages.map((p) => p.source_id)).toEqual(expected.slice(0, 2).map((e) => e.id));
    q.passages.forEach((p, i) => expect(p.score).toBeCloseTo(expected[i]!.score, 5));
    expect(q.passages[0]!.score).toBeGreaterThan(q.passages[1]!.score);
    expect(q.answer).toBeUndefined();
    expect(up.chats).toHaveLength(0);
  });

  it('with generate: true answers from the passages and cites their source ids', async () => {
    await ingest(acme, { documents: DOCS });
    const { res, body } = await query(acme, { query: QUESTION, top_k: 2, generate: true, model: 'alpha-model' });
    const ids = body.passages.map((p) => p.source_id);
    expect(ids[0]).toBe('audit-policy');
    expect(body.answer).toMatchObject({ content: 'Checkpoints are signed every hundred records [audit-policy].', citations: ids, finish_reason: 'stop' });
    // The model was given exactly the retrieved passages, numbered with their ids, and the question.
    expect(up.chats).toHaveLength(1);
    const [system, user] = up.chats[0]!.messages;
    expect(system!.role).toBe('system');
    body.passages.forEach((p, i) => expect(system!.content).toContain(`(${i + 1}) [${p.source_id}] ${p.text}`));
    const left = DOCS.filter((d) => !ids.includes(d.id));
    expect(left).toHaveLength(1);
    expect(system!.content).not.toContain(`[${left[0]!.id}]`);
    expect(user).toEqual({ role: 'user', content: QUESTION });
    expect(res.headers.get('x-sovra-model')).toBe('alpha-model');
  });

  it('attests RAG answers in headers and body, and writes an audit record for each call', async () => {
    const ing = await ingest(acme, { documents: DOCS });
    const { res, body } = await query(acme, { query: QUESTION, generate: true });
    for (const [r, action] of [
      [ing.res, 'POST /v1/rag/ingest'],
      [res, 'POST /v1/rag/query'],
    ] as const) {
      const id = r.headers.get('x-sovra-audit-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.headers.get('x-sovra-tier')).toBe('upstream-0');
      expect(r.headers.get('x-sovra-model')).toBe('alpha-model');
      expect(r.headers.get('x-sovra-model-digest')).toBe(`sha256:${'ab'.repeat(32)}`);
      const rec = await t.record(id!);
      expect(rec).toMatchObject({ outcome: 'success', status: 200, action, subject: 'tenant-acme', tenant: 'acme', tier: 'upstream-0', model: 'alpha-model' });
      expect(rec!.requestDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(rec!.responseDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
      // No document or question text in the record unless prompt capture is on.
      expect(JSON.stringify(rec)).not.toContain('hash chained');
      expect(JSON.stringify(rec)).not.toContain('checkpoints?');
    }
    expect(ing.body.sovra).toMatchObject({ audit_id: ing.res.headers.get('x-sovra-audit-id'), model: 'alpha-model', tier: 'upstream-0' });
    expect(body.sovra).toMatchObject({ audit_id: res.headers.get('x-sovra-audit-id'), model: 'alpha-model', tier: 'upstream-0' });
  });
});

describe('Idempotency-Key', () => {
  it('replays the first result of a repeat without embedding or writing again', async () => {
    const first = await ingest(acme, { documents: DOCS }, { 'idempotency-key': 'ingest-1' });
    expect(first.body).toMatchObject({ documents: 3, chunks: 3, replayed: false });
    expect(first.res.headers.get('idempotent-replayed')).toBeNull();
    const embedded = up.embeddingCalls.length;
    const stored = await storage.query('SELECT id, source_id, text FROM rag_chunks ORDER BY id');

    const again = await ingest(acme, { documents: DOCS }, { 'idempotency-key': 'ingest-1' });
    expect(again.body).toMatchObject({ documents: 3, chunks: 3, replayed: true });
    expect(again.res.headers.get('idempotent-replayed')).toBe('true');
    expect(again.res.headers.get('x-sovra-audit-id')).not.toBe(first.res.headers.get('x-sovra-audit-id'));
    expect(up.embeddingCalls).toHaveLength(embedded);
    // Written once: the very same rows, and one key.
    expect((await storage.query('SELECT id, source_id, text FROM rag_chunks ORDER BY id')).rows).toEqual(stored.rows);
    expect((await storage.query('SELECT 1 FROM idempotency_keys')).rowCount).toBe(1);
    expect(await t.record(again.res.headers.get('x-sovra-audit-id')!)).toMatchObject({ outcome: 'success', action: 'POST /v1/rag/ingest' });
  });

  it('answers the same key with other documents, or the same documents with another embedding model, with 409', async () => {
    await ingest(acme, { documents: DOCS }, { 'idempotency-key': 'ingest-2' });
    const embedded = up.embeddingCalls.length;
    for (const body of [{ documents: DOCS.slice(0, 2) }, { documents: DOCS, embedding_model: 'alpha-model' }, { documents: DOCS.map((d) => ({ ...d, metadata: { owner: 'x' } })) }]) {
      const res = await post(t.url, '/v1/rag/ingest', body, acme, { 'idempotency-key': 'ingest-2' });
      expect(res.status).toBe(409);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const p = (await res.json()) as Problem;
      expect(p).toMatchObject({ status: 409, param: 'Idempotency-Key' });
      expect(p.detail).toContain('embedding_model');
      expect(await t.record(res.headers.get('x-sovra-audit-id')!)).toMatchObject({ outcome: 'error', status: 409 });
    }
    expect(up.embeddingCalls).toHaveLength(embedded);
    expect(await chunkCount()).toBe(3);
    // Keys are per tenant: globex may use the same one.
    expect((await ingest(globex, { documents: DOCS.slice(0, 1) }, { 'idempotency-key': 'ingest-2' })).body.replayed).toBe(false);
  });
});

describe('authorization, validation and tenants', () => {
  it('needs scope rag: 403 naming the rule, audited as denied, nothing embedded', async () => {
    const chatOnly = await issuer.token({ scopes: ['chat', 'embeddings'] });
    for (const [route, body] of [
      ['/v1/rag/ingest', { documents: DOCS }],
      ['/v1/rag/query', { query: QUESTION }],
    ] as const) {
      const res = await post(t.url, route, body, chatOnly);
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const p = (await res.json()) as Problem;
      expect(p.detail).toContain('scope-for-route');
      expect(p.rule).toBe('scope-for-route');
      expect(await t.record(res.headers.get('x-sovra-audit-id')!)).toMatchObject({ outcome: 'denied', status: 403, action: `POST ${route}` });
    }
    expect(up.embeddingCalls).toHaveLength(0);
    expect(await chunkCount()).toBe(0);
  });

  it('answers a malformed body with 400 naming the field', async () => {
    const cases: [string, string | Record<string, unknown>, string][] = [
      ['/v1/rag/ingest', { documents: [{ id: 'a' }] }, 'documents.0.text'],
      ['/v1/rag/ingest', { documents: [] }, 'documents'],
      ['/v1/rag/ingest', { docs: [{ id: 'a', text: 'b' }] }, 'documents'],
      ['/v1/rag/query', { query: QUESTION, top_k: 0 }, 'top_k'],
      ['/v1/rag/query', { query: QUESTION, generate: 'yes' }, 'generate'],
      ['/v1/rag/query', { top_k: 3 }, 'query'],
    ];
    for (const [route, body, field] of cases) {
      const res = await post(t.url, route, body, acme);
      expect(res.status, `${route} ${JSON.stringify(body)}`).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const p = (await res.json()) as Problem;
      expect(p.param, `${route} ${JSON.stringify(body)}: ${p.detail}`).toBe(field);
      expect(p.detail).toContain(field);
    }
    const bad = await post(t.url, '/v1/rag/query', '{"query": ', acme);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Problem).code).toBe('invalid_json');
    expect(up.embeddingCalls).toHaveLength(0);
  });

  it('keeps tenants apart: a query never returns another tenant\'s chunks, even under the same source id', async () => {
    await ingest(acme, { documents: DOCS });
    // globex's documents match the question better than any of acme's.
    const theirs = [
      { id: 'audit-policy', text: 'Globex: audit records signed with checkpoints, how are audit records signed with checkpoints.' },
      { id: 'globex-only', text: 'Globex audit records are signed with checkpoints too.' },
    ];
    await ingest(globex, { documents: theirs });
    expect(await chunkCount()).toBe(5);

    const mine = (await query(acme, { query: QUESTION, top_k: 50 })).body.passages;
    expect(mine.map((p) => p.source_id).sort()).toEqual(DOCS.map((d) => d.id).sort());
    expect(mine.every((p) => !p.text.includes('Globex'))).toBe(true);
    const other = (await query(globex, { query: QUESTION, top_k: 50, generate: true })).body;
    expect(other.passages.map((p) => p.source_id).sort()).toEqual(['audit-policy', 'globex-only']);
    expect(other.passages.every((p) => p.text.startsWith('Globex'))).toBe(true);
    expect(up.chats.at(-1)!.messages[0]!.content).not.toContain('hash chained');
  });
});

describe('sovra serve wiring', () => {
  it('on PostgreSQL 15 without pgvector starts without RAG: /v1/rag/* answer 503 saying how to get pgvector, chat is served and /readyz is ready', async () => {
    const pg = await startPostgres();
    const logged: string[] = [];
    try {
      const config: ServeConfig = { host: '127.0.0.1', port: 0, oidcIssuer: issuer.issuer, oidcAudience: TEST_AUDIENCE, upstreams: [up.baseUrl], databaseUrl: pg.url };
      const server = await startServer(config, { logger: { level: 'warn', stream: { write: (line: string) => void logged.push(line) } } });
      try {
        expect(server.rag).toBe(false);
        expect(logged.join('')).toContain('RAG is off (/v1/rag/* answer 503)');
        expect(logged.join('')).toContain('postgresql-15-pgvector');
        for (const route of ['/v1/rag/ingest', '/v1/rag/query']) {
          const res = await post(server.url, route, route.endsWith('ingest') ? { documents: DOCS } : { query: QUESTION }, acme);
          expect(res.status).toBe(503);
          expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
          const p = (await res.json()) as Problem;
          expect(p).toMatchObject({ status: 503, code: 'vector_store_unavailable' });
          expect(p.detail).toContain('pgvector');
          expect(p.detail).toContain('apt-get install postgresql-15-pgvector');
          expect(res.headers.get('x-sovra-audit-id')).toBeTruthy();
        }
        const chat = await post(server.url, '/v1/chat/completions', { model: 'alpha-model', messages: [{ role: 'user', content: 'hi' }] }, acme);
        expect(chat.status).toBe(200);
        const ready = await fetch(`${server.url}/readyz`);
        expect(ready.status).toBe(200);
        expect(await ready.json()).toMatchObject({ status: 'ready', checks: { storage: 'ok', rag: 'off: the database has no pgvector extension (/v1/rag/* answer 503)' } });
      } finally {
        await server.close();
      }
    } finally {
      await pg.stop();
    }
  });

  it('the real sovra serve process ingests and answers a query (PGlite data directory)', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sovra-rag-serve-'));
    const env = { ...process.env };
    for (const k of ['HOST', 'PORT', 'DATABASE_URL', ...Object.keys(env).filter((k) => k.startsWith('SOVRA_'))]) delete env[k];
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--oidc-issuer', issuer.issuer, '--oidc-audience', TEST_AUDIENCE, '--upstream', up.baseUrl, '--data-dir', path.join(tmp, 'data')], {
      cwd: tmp,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = collect(child);
    try {
      const url = (await waitFor(child, out, /sovra serve: listening on (http:\/\/127\.0\.0\.1:\d+) /))[1]!;
      expect(out.stdout).not.toContain('RAG is off');
      expect(await (await fetch(`${url}/readyz`)).json()).toMatchObject({ status: 'ready', checks: { rag: 'ok' } });
      const ing = await post(url, '/v1/rag/ingest', { documents: DOCS }, acme, { 'idempotency-key': 'serve-1' });
      expect(ing.status, await ing.clone().text()).toBe(200);
      expect(await ing.json()).toMatchObject({ documents: 3, chunks: 3, replayed: false });
      const q = await post(url, '/v1/rag/query', { query: QUESTION, top_k: 1, generate: true }, acme);
      expect(q.status, await q.clone().text()).toBe(200);
      const body = (await q.json()) as QueryJson;
      expect(body.passages.map((p) => p.source_id)).toEqual(['audit-policy']);
      expect(body.answer!.citations).toEqual(['audit-policy']);
      expect(q.headers.get('x-sovra-audit-id')).toBeTruthy();
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
