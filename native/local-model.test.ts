/**
 * Real CPU inference through llama.cpp on the tiny model (built once into a
 * temp dir): chat with the model's own template, streaming, cancellation,
 * constrained JSON, embeddings, the context pool, and refusals of bad files.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { isSovraError, type SovraErrorCode } from '../core/errors.js';
import type { ModelDeclaration } from '../contracts/model-declaration.js';
import { sharedLlama } from './llama.js';
import { loadLocalModel } from './load.js';
import type { NativeLocalModel } from './local-model.js';
import { buildTinyModel, TINY_ANSWER, writeTinyModel } from './tiny/builder.js';
import type { ChatChunk, ChatRequest } from './types.js';
import { corruptKeyName, renameTensor } from '../test/native/support/corrupt.js';

const dir = mkdtempSync(join(tmpdir(), 'sovra-native-'));
const path = join(dir, 'sovra-tiny-chat.gguf');
let decl: ModelDeclaration;
let model: NativeLocalModel;

/** A request whose answer never ends by itself: the prompt ends inside an answer, off the planted chain. */
const endless: ChatRequest = { messages: [{ role: 'user', content: 'tell me a story' }], continue_from: 'the', max_tokens: 300 };

async function rejection(p: Promise<unknown>, code: SovraErrorCode): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (!isSovraError(e)) throw e;
    expect(e.code).toBe(code);
    return e.message;
  }
  throw new Error('expected a SovraError');
}

beforeAll(async () => {
  decl = await writeTinyModel(path);
  model = await loadLocalModel({ path, declaration: decl, threads: 1, contexts: 2, contextSize: 512 });
});

afterAll(async () => {
  await model?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('chat', () => {
  it('answers through the chat template the model carries, with OpenAI-shaped usage', async () => {
    const r = await model.chat({ messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'Hello' }], temperature: 0 });
    expect(r.content).toBe(TINY_ANSWER);
    expect(r.finish_reason).toBe('stop');
    // The prompt is exactly the ChatML rendering of the messages (the model's tokenizer.chat_template).
    const vocab = await (await sharedLlama()).loadModel({ modelPath: path, vocabOnly: true });
    const rendered = '<|im_start|>system\nbe brief<|im_end|>\n<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n';
    const promptTokens = vocab.tokenize(rendered, true).length;
    const answerTokens = vocab.tokenize(TINY_ANSWER).length;
    await vocab.dispose();
    expect(r.usage).toEqual({ prompt_tokens: promptTokens, completion_tokens: answerTokens, total_tokens: promptTokens + answerTokens });
    expect(model.id).toBe('sovra-tiny-chat');
    expect(model.digest).toBe(`sha256:${decl.sha256}`);
  });

  it('stops at max_tokens with finish_reason length, and on a stop string', async () => {
    const r = await model.chat({ ...endless, max_tokens: 7, temperature: 0 });
    expect(r.finish_reason).toBe('length');
    expect(r.usage.completion_tokens).toBe(7);
    const s = await model.chat({ messages: [{ role: 'user', content: 'hi' }], temperature: 0, stop: [' Sovra'] });
    expect(s).toMatchObject({ content: 'Hello from', finish_reason: 'stop' });
  });

  it('streams the same text it answers at once, usage on the last chunk', async () => {
    const whole = await model.chat({ ...endless, max_tokens: 20, seed: 5 });
    const chunks: ChatChunk[] = [];
    for await (const c of model.chatStream({ ...endless, max_tokens: 20, seed: 5 })) chunks.push(c);
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks.slice(0, -1).every((c) => c.delta !== '' && c.finish_reason === undefined)).toBe(true);
    expect(chunks.map((c) => c.delta).join('')).toBe(whole.content);
    expect(chunks.at(-1)).toMatchObject({ finish_reason: 'length', usage: whole.usage });
  });

  it('continues an answer another tier started (continue_from), keeping the space between the parts', async () => {
    const r = await model.chat({ messages: [{ role: 'user', content: 'hi' }], temperature: 0, continue_from: 'Hello' });
    expect(r).toMatchObject({ content: ' from Sovra.', finish_reason: 'stop' });
    const deltas: string[] = [];
    for await (const c of model.chatStream({ messages: [{ role: 'user', content: 'hi' }], temperature: 0, continue_from: 'Hello from' })) deltas.push(c.delta);
    expect(deltas.join('')).toBe(' Sovra.');
  });

  it('rejects malformed requests as bad input naming the field', async () => {
    expect(await rejection(model.chat({ messages: [] }), 'bad-input')).toMatch(/messages must be a non-empty list/);
    expect(await rejection(model.chat({ messages: [{ role: 'tool' as 'user', content: 'x' }] }), 'bad-input')).toMatch(/messages\[0\]\.role must be one of system, user, assistant/);
    expect(await rejection(model.chat({ messages: [{ role: 'user', content: 'x' }], temperature: 3 }), 'bad-input')).toMatch(/temperature must be between 0 and 2, got 3/);
  });
});

describe('cancellation', () => {
  it('an aborted signal stops a stream: finish_reason abort, the context is free again', async () => {
    const ac = new AbortController();
    const chunks: ChatChunk[] = [];
    for await (const c of model.chatStream({ ...endless, signal: ac.signal })) {
      chunks.push(c);
      if (chunks.length === 3) ac.abort();
    }
    const last = chunks.at(-1)!;
    expect(last.finish_reason).toBe('abort');
    expect(last.usage!.completion_tokens).toBeLessThan(10);
    expect(model.stats().chat.active).toBe(0);
  });

  it('breaking out of the stream stops generation and frees the context', async () => {
    let n = 0;
    for await (const c of model.chatStream(endless)) {
      expect(c.delta).not.toBe('');
      if (++n === 2) break;
    }
    expect(model.stats().chat.active).toBe(0);
    expect((await model.chat({ messages: [{ role: 'user', content: 'hi' }], temperature: 0 })).content).toBe(TINY_ANSWER);
  });

  it('a request aborted while it waits for a context leaves the queue without generating', async () => {
    const ac = new AbortController();
    const busy = [model.chatStream(endless)[Symbol.asyncIterator](), model.chatStream(endless)[Symbol.asyncIterator]()];
    await Promise.all(busy.map((it) => it.next())); // both contexts are generating
    const waiting = model.chat({ messages: [{ role: 'user', content: 'hi' }], signal: ac.signal });
    await new Promise((r) => setImmediate(r));
    expect(model.stats().chat.waiting).toBe(1);
    ac.abort();
    expect(await waiting).toEqual({ content: '', finish_reason: 'abort', usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 } });
    expect(model.stats().chat.waiting).toBe(0);
    await Promise.all(busy.map((it) => it.return!(undefined)));
    expect(model.stats().chat.active).toBe(0);
    expect(await model.chat({ messages: [{ role: 'user', content: 'x' }], signal: AbortSignal.abort() })).toMatchObject({ content: '', finish_reason: 'abort' });
  });
});

describe('constrained output', () => {
  it('output constrained to a JSON schema parses and validates', async () => {
    const schema = {
      type: 'object',
      properties: { name: { type: 'string' }, count: { type: 'integer' }, ok: { type: 'boolean' }, tags: { type: 'array', items: { type: 'string' } } },
      required: ['name', 'count', 'ok', 'tags'],
      additionalProperties: false,
    };
    const r = await model.chat({ messages: [{ role: 'user', content: 'json' }], response_format: { type: 'json_schema', json_schema: { name: 'x', schema } } });
    expect(r.finish_reason).toBe('stop');
    const value = JSON.parse(r.content) as unknown;
    const validate = new Ajv().compile(schema);
    expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
    // Without the grammar the same request gets the model's usual answer, which is no JSON.
    expect((await model.chat({ messages: [{ role: 'user', content: 'json' }], temperature: 0 })).content).toBe(TINY_ANSWER);
  });

  it('json_object gives any JSON value that parses; a bad schema is bad input', async () => {
    const r = await model.chat({ messages: [{ role: 'user', content: 'json' }], response_format: { type: 'json_object' }, max_tokens: 200 });
    expect(() => JSON.parse(r.content)).not.toThrow();
    const bad = model.chat({ messages: [{ role: 'user', content: 'x' }], response_format: { type: 'json_schema', json_schema: { name: 'x', schema: null as never } } });
    expect(await rejection(bad, 'bad-input')).toMatch(/json_schema\.schema must be a JSON schema object/);
  });
});

describe('embeddings', () => {
  it('one vector of the model width per input, the same vector for the same text', async () => {
    const a = await model.embed(['hello world', 'red green blue', 'hello world']);
    expect(a.embeddings).toHaveLength(3);
    for (const v of a.embeddings) expect(v).toHaveLength(decl.parameters.embeddingLength);
    expect(a.embeddings[0]).toEqual(a.embeddings[2]);
    expect(a.embeddings[0]).not.toEqual(a.embeddings[1]);
    expect(a.usage.prompt_tokens).toBeGreaterThan(3);
    expect(a.usage.completion_tokens).toBe(0);
    const b = await model.embed(['hello world']);
    expect(b.embeddings[0]).toEqual(a.embeddings[0]);
    expect(await rejection(model.embed([]), 'bad-input')).toMatch(/non-empty list of non-empty strings/);
  });
});

describe('context pool', () => {
  it('concurrent requests queue for the bounded contexts and all get their answer', async () => {
    const before = model.stats().chat;
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => model.chat({ messages: [{ role: 'user', content: `hello ${i}` }], temperature: 0 })));
    expect(answers.map((a) => a.content)).toEqual(Array(6).fill(TINY_ANSWER));
    const after = model.stats();
    expect(after.chat.created).toBe(2);
    expect(after.chat.peakActive).toBe(2);
    expect(after.chat.peakWaiting).toBeGreaterThanOrEqual(Math.max(4, before.peakWaiting));
    expect(after.chat).toMatchObject({ active: 0, waiting: 0 });
    expect(after.threads).toEqual([1, 1]);
  });
});

describe('refusing bad files', () => {
  it('refuses a file whose digest differs from its pin, naming expected and actual', async () => {
    const other = join(dir, 'other.gguf');
    const bytes = Buffer.from(buildTinyModel());
    bytes[bytes.length - 4] = bytes[bytes.length - 4]! ^ 1;
    writeFileSync(other, bytes);
    const message = await rejection(loadLocalModel({ path: other, declaration: decl }), 'bad-input');
    expect(message).toContain(`expected sha256:${decl.sha256}`);
    expect(message).toMatch(/actual sha256:[0-9a-f]{64}\. Refusing to load it\./);
    expect(message).not.toContain(`actual sha256:${decl.sha256}`);
  });

  it('a truncated file or missing metadata is a clear error and the process lives on', async () => {
    const truncated = join(dir, 'truncated.gguf');
    writeFileSync(truncated, buildTinyModel().subarray(0, 300_000));
    expect(await rejection(loadLocalModel({ path: truncated }), 'bad-input')).toMatch(/truncated/);
    // Without llama.feed_forward_length llama.cpp would abort the whole process.
    const noFfn = join(dir, 'no-ffn.gguf');
    writeFileSync(noFfn, corruptKeyName(buildTinyModel(), 'llama.feed_forward_length'));
    expect(await rejection(loadLocalModel({ path: noFfn }), 'bad-input')).toMatch(/required metadata key llama\.feed_forward_length is missing/);
    // A fault only llama.cpp notices (a missing tensor) comes back as a SovraError too, in this
    // process (probe: false; native/probe.test.ts covers the child-process probe).
    const noTensor = join(dir, 'no-tensor.gguf');
    writeFileSync(noTensor, renameTensor(buildTinyModel(), 'blk.1.ffn_up.weight', 'blk.1.ffn_up.weighX'));
    expect(await rejection(loadLocalModel({ path: noTensor, probe: false }), 'bad-input')).toMatch(/llama\.cpp could not load .*no-tensor\.gguf/);
    expect((await model.chat({ messages: [{ role: 'user', content: 'still there?' }], temperature: 0 })).content).toBe(TINY_ANSWER);
  });

  it('bad options are configuration errors', async () => {
    expect(await rejection(loadLocalModel({ path, threads: 0 }), 'bad-config')).toMatch(/threads must be a positive integer, got 0/);
    expect(await rejection(loadLocalModel({ path, sha256: 'xyz' }), 'bad-input')).toMatch(/sha256 must be 64 hex characters/);
  });
});
