/**
 * The API end to end with real parts: the official openai client over a
 * real socket, a real OIDC issuer (oidc-provider), real upstream HTTP
 * servers, PGlite storage and the hash-chained audit trail.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UpstreamTier } from '../../services/routing/upstream.js';
import { startTestApp, type TestApp } from './support/app.js';
import { startIssuer, TEST_AUDIENCE, type TestIssuer } from './support/oidc.js';
import { startUpstream, type TestUpstream } from './support/upstream.js';

let issuer: TestIssuer;
let upA: TestUpstream;
let upB: TestUpstream;
let t: TestApp;
let token: string;

function client(apiKey = token, headers: Record<string, string> = {}) {
  return new OpenAI({ baseURL: `${t.url}/v1`, apiKey, maxRetries: 0, defaultHeaders: headers });
}

beforeAll(async () => {
  issuer = await startIssuer();
  upA = await startUpstream('alpha', 'The answer from alpha is forty two.');
  upB = await startUpstream('beta', 'Beta speaking.');
  t = await startTestApp({
    oidc: { issuer: issuer.issuer, audience: TEST_AUDIENCE },
    tiers: [new UpstreamTier({ name: 'upstream-0', baseUrl: upA.baseUrl, timeoutMs: 2000 }), new UpstreamTier({ name: 'upstream-1', baseUrl: upB.baseUrl, timeoutMs: 2000 })],
    rateLimit: { ratePerSecond: 1000 },
    breaker: { threshold: 100, openMs: 10 },
  });
  token = await issuer.token();
});

afterAll(async () => {
  await t?.close();
  await Promise.all([upA?.close(), upB?.close(), issuer?.close()]);
});

beforeEach(() => {
  upA.mode = { kind: 'ok' };
  upB.mode = { kind: 'ok' };
});

describe('authentication', () => {
  it('accepts a JWT access token from the issuer and answers through the openai client', async () => {
    const r = await client().chat.completions.create({ model: 'alpha-model', messages: [{ role: 'user', content: 'hi' }] });
    expect(r.choices[0]!.message.content).toBe('The answer from alpha is forty two.');
  });

  it.each([
    ['missing', async () => '', /bearer token is required/i],
    ['expired', async () => issuer.sign({ exp: Math.floor(Date.now() / 1000) - 60 }), /expired/],
    ['wrong audience', async () => issuer.sign({ aud: 'https://other.test/api' }), /audience/],
    ['signed by a foreign key', async () => issuer.sign({}, { foreignKey: true }), /signature/],
    ['alg none', async () => issuer.none({}), /algorithm|malformed/],
    ['not yet valid', async () => issuer.sign({ nbf: Math.floor(Date.now() / 1000) + 3600 }), /not yet valid/],
    ['from another issuer', async () => issuer.sign({ iss: 'http://127.0.0.1:1' }), /issuer/],
  ])('refuses a %s token with 401, WWW-Authenticate and AuthenticationError', async (_name, make, message) => {
    const bad = await make();
    const raw = await fetch(`${t.url}/v1/models`, { headers: bad ? { authorization: `Bearer ${bad}` } : {} });
    expect(raw.status).toBe(401);
    expect(raw.headers.get('www-authenticate')).toMatch(/^Bearer realm="sovra"/);
    expect(raw.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = (await raw.json()) as { status: number; error: { type: string; message: string } };
    expect(body.status).toBe(401);
    expect(body.error.message).toMatch(message);
    if (bad) {
      const err = await client(bad).models.list().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
      expect((err as InstanceType<typeof OpenAI.AuthenticationError>).message).toMatch(message);
    }
  });

  it('fetches the JWKS again when a token names an unknown kid (key rotation), and only then', async () => {
    const rotating = await startTestApp({
      oidc: { issuer: issuer.issuer, audience: TEST_AUDIENCE, jwksCooldownMs: 0 },
      tiers: [new UpstreamTier({ name: 'upstream-0', baseUrl: upA.baseUrl })],
      rateLimit: { ratePerSecond: 1000 },
      storage: t.storage,
      audit: t.audit,
    });
    try {
      const c = (key: string) => new OpenAI({ baseURL: `${rotating.url}/v1`, apiKey: key, maxRetries: 0 });
      await c(token).models.list();
      const first = issuer.jwksFetches();
      await c(token).models.list();
      expect(issuer.jwksFetches()).toBe(first); // cached
      await issuer.rotate();
      await expect(c(await issuer.signRotated({})).models.list()).resolves.toBeDefined();
      expect(issuer.jwksFetches()).toBe(first + 1);
      const err = await c(await issuer.signRotated({}, { unpublished: true })).models.list().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
      expect((err as Error).message).toMatch(/key is not in the issuer's key set/);
    } finally {
      await rotating.app.close();
    }
  });

  it('audits a refused token as a denied record', async () => {
    const raw = await fetch(`${t.url}/v1/models`, { headers: { authorization: `Bearer ${await issuer.sign({}, { foreignKey: true })}` } });
    const id = raw.headers.get('x-sovra-audit-id');
    expect(id).toBeTruthy();
    const rec = await t.record(id!);
    expect(rec).toMatchObject({ outcome: 'denied', status: 401, subject: 'anonymous', reason: 'invalid_token' });
  });
});

describe('authorization and rate limiting', () => {
  it('denies a token without the route\'s scope with 403 naming the rule (PermissionDeniedError)', async () => {
    const chatOnly = await issuer.token({ scopes: ['chat'] });
    const err = await client(chatOnly).embeddings.create({ model: 'alpha-model', input: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((err as Error).message).toContain('scope-for-route');
    const ok = await client(chatOnly).chat.completions.create({ model: 'alpha-model', messages: [{ role: 'user', content: 'hi' }] });
    expect(ok.choices[0]!.message.content).toContain('alpha');
  });

  it('limits per subject and tenant with 429 and Retry-After (RateLimitError)', async () => {
    const limited = await startTestApp({
      oidc: { issuer: issuer.issuer, audience: TEST_AUDIENCE },
      tiers: [new UpstreamTier({ name: 'upstream-0', baseUrl: upA.baseUrl })],
      rateLimit: { ratePerSecond: 0.5, burst: 2 },
      storage: t.storage,
      audit: t.audit,
    });
    try {
      const c = new OpenAI({ baseURL: `${limited.url}/v1`, apiKey: token, maxRetries: 0 });
      await c.models.list();
      await c.models.list();
      const err = await c.models.list().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.RateLimitError);
      const headers = (err as InstanceType<typeof OpenAI.RateLimitError>).headers;
      expect(Number(headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      // Another tenant has its own bucket.
      const other = new OpenAI({ baseURL: `${limited.url}/v1`, apiKey: await issuer.token({ client: 'tenant-globex' }), maxRetries: 0 });
      await expect(other.models.list()).resolves.toBeDefined();
    } finally {
      await limited.app.close();
    }
  });
});

describe('OpenAI-compatible routes', () => {
  it('answers a chat completion with the attestation in headers, body and audit record', async () => {
    const { data, response } = await client().chat.completions.create({ model: 'alpha-model', messages: [{ role: 'user', content: 'question' }] }).withResponse();
    const auditId = response.headers.get('x-sovra-audit-id')!;
    expect(auditId).toBeTruthy();
    expect(response.headers.get('x-sovra-tier')).toBe('upstream-0');
    expect(response.headers.get('x-sovra-model')).toBe('alpha-model');
    expect(response.headers.get('x-sovra-model-digest')).toMatch(/^(sha256:[0-9a-f]{64}|unknown)$/);
    expect((data as unknown as { sovra: Record<string, string> }).sovra).toMatchObject({ audit_id: auditId, model: 'alpha-model', tier: 'upstream-0' });
    expect(data.object).toBe('chat.completion');
    const rec = await t.record(auditId);
    expect(rec).toMatchObject({ outcome: 'success', status: 200, action: 'POST /v1/chat/completions', subject: 'tenant-acme', tenant: 'acme', tier: 'upstream-0', model: 'alpha-model' });
    expect(rec!.requestDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('streams a chat completion as SSE ending in [DONE]', async () => {
    const stream = await client().chat.completions.create({ model: 'alpha-model', messages: [{ role: 'user', content: 'q' }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    let finish: string | null = null;
    let usage: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('The answer from alpha is forty two.');
    expect(finish).toBe('stop');
    expect(usage).toMatchObject({ completion_tokens: 7 });
    const raw = await fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'alpha-model', messages: [{ role: 'user', content: 'q' }], stream: true }),
    });
    expect(raw.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(raw.headers.get('x-sovra-audit-id')).toBeTruthy();
    const body = await raw.text();
    expect(body.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(await t.record(raw.headers.get('x-sovra-audit-id')!)).toMatchObject({ outcome: 'success', tier: 'upstream-0' });
  });

  it('lists the upstreams\' models', async () => {
    const ids: string[] = [];
    for await (const m of client().models.list()) ids.push(m.id);
    expect(ids).toEqual(['alpha-model', 'beta-model']);
  });

  it('creates embeddings, as floats and as the client\'s default base64', async () => {
    const viaClient = await client().embeddings.create({ model: 'alpha-model', input: ['one two', 'three'] });
    expect(viaClient.data).toHaveLength(2);
    expect(viaClient.data[0]!.embedding).toHaveLength(64);
    const floats = await client().embeddings.create({ model: 'alpha-model', input: 'one two', encoding_format: 'float' });
    expect(floats.data[0]!.embedding[0]).toBeCloseTo(viaClient.data[0]!.embedding[0]!, 6);
  });

  it('answers malformed JSON and schema failures with 400 naming the field (BadRequestError)', async () => {
    const raw = await fetch(`${t.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"model": ' });
    expect(raw.status).toBe(400);
    expect(((await raw.json()) as { error: { code: string } }).error.code).toBe('invalid_json');
    const err = await client()
      .chat.completions.create({ model: 'alpha-model', messages: [{ role: 'robot' as 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('messages.0.role');
    expect((err as Error).message).toContain('messages.0.role');
    const missing = await fetch(`${t.url}/v1/embeddings`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"input": "x"}' });
    const problem = (await missing.json()) as { status: number; param: string; detail: string; type: string };
    expect(problem).toMatchObject({ status: 400, param: 'model' });
    expect(problem.detail).toContain('"model"');
  });

  it('relays an upstream 4xx without failing over', async () => {
    upA.mode = { kind: 'status', status: 404, message: 'The model `nope` does not exist.' };
    const err = await client().chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect((err as Error).message).toContain('does not exist');
    expect(upB.chats.filter((c) => c.model === 'nope')).toHaveLength(0);
  });
});

describe('failover', () => {
  it('moves to the next upstream on a 5xx and reports the tier and failover metric', async () => {
    upA.mode = { kind: 'status', status: 503 };
    const { data, response } = await client().chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }).withResponse();
    expect(data.choices[0]!.message.content).toBe('Beta speaking.');
    expect(response.headers.get('x-sovra-tier')).toBe('upstream-1');
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/sovra_failovers_total\{from="upstream-0",phase="before-answer"\} [1-9]/);
    expect(metrics).toMatch(/sovra_inference_requests_total\{operation="chat",outcome="success",tier="upstream-1"\} [1-9]/);
  });

  it('answers 503 with the problem when no tier can (InternalServerError)', async () => {
    upA.mode = { kind: 'status', status: 500 };
    upB.mode = { kind: 'status', status: 502 };
    const err = await client().chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect((err as InstanceType<typeof OpenAI.InternalServerError>).status).toBe(503);
    expect((err as Error).message).toContain('upstream-0');
  });
});

describe('operations', () => {
  it('serves OpenAPI 3.1 generated from the route schemas', async () => {
    const doc = (await (await fetch(`${t.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { required?: string[] } }> } }>> };
    expect(doc.openapi).toBe('3.1.0');
    for (const p of ['/v1/chat/completions', '/v1/models', '/v1/embeddings', '/v1/rag/ingest', '/v1/rag/query', '/healthz', '/readyz', '/metrics']) expect(doc.paths).toHaveProperty([p]);
    expect(doc.paths['/v1/chat/completions']!.post!.requestBody!.content['application/json']!.schema.required).toEqual(['model', 'messages']);
  });

  it('reports health, readiness and Prometheus metrics', async () => {
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { storage: 'ok' } });
    const metrics = await fetch(`${t.url}/metrics`);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await metrics.text();
    expect(text).toMatch(/sovra_http_requests_total\{method="POST",route="\/v1\/chat\/completions",status="200"\} [1-9]/);
    expect(text).toMatch(/sovra_http_request_duration_seconds_bucket\{route="\/v1\/chat\/completions",le="\+Inf"\} [1-9]/);
    expect(text).toMatch(/^sovra_audit_pending_records \d+$/m);
    expect(text).toMatch(/^sovra_audit_journal_unapplied_records \d+$/m);
  });

  it('is not ready when no tier is reachable', async () => {
    upA.mode = { kind: 'hang' };
    await upB.kill();
    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ checks: { inference: 'failed: no tier reachable' } });
    upB = await startUpstream('beta', 'Beta speaking.'); // new port; later tests do not use upstream-1
  });
});
