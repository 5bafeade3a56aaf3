/**
 * The local model as the last tier: the tiny GGUF from `native/` loaded by
 * llama.cpp on the CPU (through the LocalModel interface only), behind a
 * server started from `sovra serve` options, answering the openai client
 * while the upstream is down, and taking over a stream that broke mid-way.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SovraError } from '../../core/errors.js';
import { sha256File, TINY_ANSWER, writeTinyModel } from '../../native/index.js';
import { resolveServeConfig } from '../../services/server/config.js';
import { startServer, type RunningServer } from '../../services/server/start.js';
import { startIssuer, TEST_AUDIENCE, type TestIssuer } from './support/oidc.js';
import { startUpstream, type TestUpstream } from './support/upstream.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sovra-local-tier-'));
const MODEL = path.join(tmp, 'tiny.gguf');
let issuer: TestIssuer;
let upstream: TestUpstream;
let server: RunningServer;
let client: OpenAI;
let digest: string;

beforeAll(async () => {
  [issuer, upstream] = await Promise.all([startIssuer(), startUpstream('alpha', 'The answer from alpha is forty two.'), writeTinyModel(MODEL)]);
  digest = `sha256:${await sha256File(MODEL)}`;
  const config = resolveServeConfig(
    { port: '0', upstream: [upstream.baseUrl], 'local-model': MODEL, 'local-model-sha256': digest, 'oidc-issuer': issuer.issuer, 'oidc-audience': TEST_AUDIENCE, 'data-dir': path.join(tmp, 'data') },
    {},
    tmp,
  );
  server = await startServer(config, { logger: false });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: await issuer.token(), maxRetries: 0 });
});

afterAll(async () => {
  await server?.close();
  await Promise.all([issuer?.close(), upstream?.close()]);
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('local model tier', () => {
  it('lists the upstream models, then the local one with its digest', async () => {
    expect(server.tiers).toEqual([`upstream-0 ${upstream.baseUrl}`, expect.stringMatching(new RegExp(`^local \\S+ ${digest}$`))]);
    const models: { id: string; digest?: string; tier?: string }[] = [];
    for await (const m of client.models.list()) models.push(m as (typeof models)[number]);
    expect(models.map((m) => m.tier)).toEqual(['upstream-0', 'local']);
    expect(models[1]!.digest).toBe(digest);
  });

  it('continues a stream on the local model when the upstream dies mid-stream', async () => {
    upstream.mode = { kind: 'die-mid-stream', after: 2 };
    const { data: stream, response } = await client.chat.completions.create({ model: 'alpha-model', messages: [{ role: 'user', content: 'hi' }], stream: true, temperature: 0 }).withResponse();
    let text = '';
    let attestation: Record<string, string> | undefined;
    for await (const c of stream) {
      text += c.choices[0]?.delta.content ?? '';
      attestation = (c as unknown as { sovra?: Record<string, string> }).sovra ?? attestation;
    }
    expect(response.headers.get('x-sovra-tier')).toBe('upstream-0');
    expect(text.startsWith('The answer ')).toBe(true);
    expect(text.length).toBeGreaterThan('The answer '.length);
    expect(attestation).toMatchObject({ tier: 'upstream-0>local', model_digest: digest });
  });

  it('answers with the local model while every upstream is down, attesting its digest', async () => {
    await upstream.kill();
    const { data, response } = await client.chat.completions.create({ model: 'alpha-model', messages: [{ role: 'user', content: 'hi' }], temperature: 0 }).withResponse();
    expect(data.choices[0]!.message.content).toBe(TINY_ANSWER);
    expect(response.headers.get('x-sovra-tier')).toBe('local');
    expect(response.headers.get('x-sovra-model-digest')).toBe(digest);
    let streamed = '';
    for await (const c of await client.chat.completions.create({ model: 'alpha-model', messages: [{ role: 'user', content: 'hi' }], stream: true, temperature: 0 })) streamed += c.choices[0]?.delta.content ?? '';
    expect(streamed).toBe(TINY_ANSWER);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/sovra_inference_requests_total\{operation="chat",outcome="success",tier="local"\} 1/);
    expect(metrics).toMatch(/sovra_failovers_total\{from="upstream-0",phase="before-answer"\} [1-9]/);
  });

  it("answers a client's mistake that reaches the local model with 400, not as a failed tier", async () => {
    // More tokens than the tiny model's context: the model refuses the input (bad-input), the client gets OpenAI's 400.
    const e = await client.embeddings.create({ model: 'sovra-tiny-chat', input: 'hello world '.repeat(2000) }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OpenAI.BadRequestError);
    expect((e as InstanceType<typeof OpenAI.BadRequestError>).message).toMatch(/more than the context size/);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/sovra_inference_requests_total\{operation="embeddings",outcome="rejected",tier="local"\} 1/);
    expect(metrics).not.toMatch(/sovra_inference_requests_total\{operation="embeddings",outcome="failure",tier="local"\}/);
  });

  it('refuses to start when the model file does not match --local-model-sha256, naming the option', async () => {
    const config = resolveServeConfig({ upstream: ['http://127.0.0.1:9/v1'], 'local-model': MODEL, 'local-model-sha256': 'ab'.repeat(32), 'oidc-issuer': issuer.issuer, 'data-dir': path.join(tmp, 'data-2') }, {}, tmp);
    const e = await startServer(config, { logger: false }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SovraError);
    expect((e as SovraError).code).toBe('bad-input');
    expect((e as Error).message).toMatch(/^sovra serve: --local-model: Model file .*tiny\.gguf does not match its pin: expected sha256:(ab){32}/);
  });
});
