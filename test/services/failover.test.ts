/**
 * Tiered failover against real upstream HTTP servers that are killed before
 * and during a stream, hang, or fail; seen through the official openai client.
 */
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CONTINUE_PROMPT } from '../../services/routing/tier.js';
import { UpstreamTier } from '../../services/routing/upstream.js';
import { openStorage } from '../../services/storage/index.js';
import type { Storage } from '../../services/storage/types.js';
import { startTestApp, type TestApp } from './support/app.js';
import { startIssuer, TEST_AUDIENCE, type TestIssuer } from './support/oidc.js';
import { startUpstream, type TestUpstream } from './support/upstream.js';

let issuer: TestIssuer;
let token: string;
/** One in-memory database for the file: opening PGlite costs seconds, each test gets its own app and audit trail on it. */
let storage: Storage;
const open: { app?: TestApp; ups: TestUpstream[] } = { ups: [] };

beforeAll(async () => {
  [issuer, storage] = await Promise.all([startIssuer(), openStorage({})]);
  token = await issuer.token();
});
afterAll(async () => {
  await issuer?.close();
  await storage?.close();
});
afterEach(async () => {
  await open.app?.close();
  await Promise.all(open.ups.map((u) => u.close()));
  open.app = undefined;
  open.ups = [];
});

async function setup(options: { timeoutMs?: number; threshold?: number; openMs?: number } = {}) {
  const a = await startUpstream('alpha', 'The answer from alpha is forty two.');
  const b = await startUpstream('beta', 'Beta speaking.');
  open.ups.push(a, b);
  const app = await startTestApp({
    storage,
    oidc: { issuer: issuer.issuer, audience: TEST_AUDIENCE },
    tiers: [new UpstreamTier({ name: 'upstream-0', baseUrl: a.baseUrl, timeoutMs: options.timeoutMs ?? 5000 }), new UpstreamTier({ name: 'upstream-1', baseUrl: b.baseUrl, timeoutMs: options.timeoutMs ?? 5000 })],
    rateLimit: { ratePerSecond: 1000 },
    breaker: { threshold: options.threshold ?? 3, openMs: options.openMs ?? 60_000 },
  });
  open.app = app;
  const client = new OpenAI({ baseURL: `${app.url}/v1`, apiKey: token, maxRetries: 0 });
  return { a, b, app, client };
}

async function collect(stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>): Promise<string> {
  let text = '';
  for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
  return text;
}

describe('failover', () => {
  it('continues a stream on the next tier when the upstream is killed mid-stream, as one uninterrupted answer', async () => {
    const { a, b, app, client } = await setup();
    a.mode = { kind: 'die-mid-stream', after: 3 };
    b.answer = (body) => {
      const last = body.messages.at(-1);
      const prev = body.messages.at(-2);
      return last?.content === CONTINUE_PROMPT && prev?.role === 'assistant' ? 'alpha is forty two.' : 'WRONG: no continuation';
    };
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'alpha-model', messages: [{ role: 'user', content: 'What is the answer?' }], stream: true })
      .withResponse();
    const text = await collect(stream);
    expect(text).toBe('The answer from alpha is forty two.');
    // The next tier got the conversation plus the text already sent.
    const cont = b.chats.at(-1)!;
    expect(cont.messages[0]).toEqual({ role: 'user', content: 'What is the answer?' });
    expect(cont.messages[1]).toEqual({ role: 'assistant', content: 'The answer from ' });
    expect(response.headers.get('x-sovra-tier')).toBe('upstream-0');
    const rec = await app.record(response.headers.get('x-sovra-audit-id')!);
    expect(rec).toMatchObject({ outcome: 'success', tier: 'upstream-0>upstream-1' });
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toMatch(/sovra_failovers_total\{from="upstream-0",phase="mid-stream"\} 1/);
  });

  it('streams from the next tier when the first upstream is killed before the request', async () => {
    const { a, client } = await setup();
    await a.kill();
    const { data: stream, response } = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true }).withResponse();
    expect(await collect(stream)).toBe('Beta speaking.');
    expect(response.headers.get('x-sovra-tier')).toBe('upstream-1');
    expect(response.headers.get('x-sovra-model')).toBe('m');
  });

  it('leaves an upstream that does not answer within the timeout', async () => {
    const { a, client } = await setup({ timeoutMs: 300 });
    a.mode = { kind: 'hang' };
    const started = performance.now();
    const r = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    expect(r.choices[0]!.message.content).toBe('Beta speaking.');
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('skips a tier whose breaker is open, then probes it again after the open period', async () => {
    const { a, client } = await setup({ threshold: 2, openMs: 400 });
    a.mode = { kind: 'status', status: 500 };
    for (let i = 0; i < 2; i++) await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    expect(a.chats).toHaveLength(2);
    a.mode = { kind: 'ok' };
    const skipped = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    expect(skipped.choices[0]!.message.content).toBe('Beta speaking.');
    expect(a.chats).toHaveLength(2); // not contacted while open
    await new Promise((r) => setTimeout(r, 450));
    const probed = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    expect(probed.choices[0]!.message.content).toContain('alpha');
    expect(a.chats).toHaveLength(3);
  });

  it('ends the stream with an error event the client raises when every tier fails mid-stream', async () => {
    const { a, b, app, client } = await setup();
    a.mode = { kind: 'die-mid-stream', after: 2 };
    b.mode = { kind: 'die-mid-stream', after: 1 };
    const { data: stream, response } = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true }).withResponse();
    let text = '';
    const err = await (async () => {
      for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as Error).message).toMatch(/No inference tier could answer/);
    expect(text).toBe('The answer Beta ');
    expect(await app.record(response.headers.get('x-sovra-audit-id')!)).toMatchObject({ outcome: 'error', reason: 'no_tier_available' });
  });

  it('records a client that goes away mid-stream and stops the upstream call', async () => {
    const { a, app } = await setup({ timeoutMs: 60_000 });
    // After its first word the upstream would wait a minute: only the client's abort can end the call early.
    a.chunkDelayMs = 60_000;
    const ac = new AbortController();
    const res = await fetch(`${app.url}/v1/chat/completions`, {
      method: 'POST',
      signal: ac.signal,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true }),
    });
    const id = res.headers.get('x-sovra-audit-id')!;
    const reader = res.body!.getReader();
    await reader.read();
    ac.abort();
    let rec: Record<string, unknown> | undefined;
    for (let i = 0; i < 100 && (!rec || a.streamsCut === 0); i++) {
      await new Promise((r) => setTimeout(r, 50));
      rec ??= await app.record(id);
    }
    expect(rec).toMatchObject({ outcome: 'error', status: 499, reason: 'client_closed', tier: 'upstream-0' });
    expect(a.streamsCut).toBe(1);
  });
});
