/**
 * POST /v1/chat/completions, wire-compatible with OpenAI: a whole answer as
 * JSON, or with `stream: true` server-sent events ending in `data: [DONE]`.
 * A stream that fails over mid-way stays one stream for the client.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ChatMessage, Usage } from '../../native/types.js';
import type { ServiceContext } from '../context.js';
import { sha256Digest } from '../digest.js';
import { ProblemError, problemBody } from '../errors.js';
import { attest, attestField, closeAudit, type Attestation } from '../lifecycle.js';
import type { ChatCall } from '../routing/tier.js';
import { problemResponses } from './common.js';

const contentPart = {
  type: 'object',
  required: ['type'],
  properties: { type: { type: 'string' }, text: { type: 'string' } },
} as const;

/** Request body schema (the subset of OpenAI's the service implements). */
export const chatRequestSchema = {
  type: 'object',
  required: ['model', 'messages'],
  properties: {
    model: { type: 'string', minLength: 1, maxLength: 256 },
    messages: {
      type: 'array',
      minItems: 1,
      maxItems: 1024,
      items: {
        type: 'object',
        required: ['role', 'content'],
        properties: {
          role: { type: 'string', enum: ['system', 'developer', 'user', 'assistant'] },
          content: { anyOf: [{ type: 'string' }, { type: 'array', items: contentPart }] },
          name: { type: 'string' },
        },
      },
    },
    stream: { type: 'boolean' },
    stream_options: { type: ['object', 'null'], properties: { include_usage: { type: 'boolean' } } },
    max_tokens: { type: ['integer', 'null'], minimum: 1 },
    max_completion_tokens: { type: ['integer', 'null'], minimum: 1 },
    temperature: { type: ['number', 'null'], minimum: 0, maximum: 2 },
    top_p: { type: ['number', 'null'], minimum: 0, maximum: 1 },
    seed: { type: ['integer', 'null'] },
    n: { type: ['integer', 'null'], minimum: 1, maximum: 1 },
    stop: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, maxItems: 4 }, { type: 'null' }] },
    response_format: {
      type: 'object',
      required: ['type'],
      properties: {
        type: { type: 'string', enum: ['text', 'json_object', 'json_schema'] },
        json_schema: { type: 'object', required: ['name', 'schema'], properties: { name: { type: 'string' }, schema: { type: 'object' } } },
      },
    },
    user: { type: 'string' },
  },
} as const;

interface ChatBody {
  model: string;
  messages: { role: 'system' | 'developer' | 'user' | 'assistant'; content: string | { type: string; text?: string }[] }[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean } | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  seed?: number | null;
  stop?: string | string[] | null;
  response_format?: ChatCall['response_format'];
}

function messagesOf(body: ChatBody): ChatMessage[] {
  return body.messages.map((m, i) => {
    let content: string;
    if (typeof m.content === 'string') content = m.content;
    else {
      const other = m.content.findIndex((p) => p.type !== 'text' || typeof p.text !== 'string');
      if (other >= 0) throw new ProblemError(400, 'invalid_request', `Field "messages.${i}.content.${other}" is not a text part; only text content is supported.`, { param: `messages.${i}.content.${other}` });
      content = m.content.map((p) => p.text).join('');
    }
    return { role: m.role === 'developer' ? 'system' : m.role, content };
  });
}

/** The tier-neutral call for a validated body. */
export function chatCallOf(body: ChatBody, signal: AbortSignal): ChatCall {
  if (body.response_format?.type === 'json_schema' && !body.response_format.json_schema) {
    throw new ProblemError(400, 'invalid_request', 'Field "response_format.json_schema" is required when the type is json_schema.', { param: 'response_format.json_schema' });
  }
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  return {
    model: body.model,
    messages: messagesOf(body),
    ...(maxTokens != null ? { max_tokens: maxTokens } : {}),
    ...(body.temperature != null ? { temperature: body.temperature } : {}),
    ...(body.top_p != null ? { top_p: body.top_p } : {}),
    ...(body.seed != null ? { seed: body.seed } : {}),
    ...(body.stop != null ? { stop: typeof body.stop === 'string' ? [body.stop] : body.stop } : {}),
    ...(body.response_format ? { response_format: body.response_format } : {}),
    signal,
  };
}

function completionId(): string {
  return `chatcmpl-${randomUUID().replace(/-/g, '')}`;
}

async function whole(ctx: ServiceContext, request: FastifyRequest, reply: FastifyReply, call: ChatCall): Promise<FastifyReply> {
  const r = await ctx.router.chat(call);
  const a: Attestation = { model: r.model, modelDigest: r.digest, tier: r.tier };
  const text = JSON.stringify({
    id: completionId(),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: r.model,
    choices: [{ index: 0, message: { role: 'assistant', content: r.content, refusal: null }, finish_reason: r.finish_reason === 'abort' ? 'stop' : r.finish_reason, logprobs: null }],
    usage: r.usage,
    sovra: attestField(request, a),
  });
  await closeAudit(ctx, request, { outcome: 'success', status: 200, model: r.model, modelDigest: r.digest, tier: r.tier, responseDigest: sha256Digest(r.content) });
  attest(request, reply, a);
  return reply.type('application/json; charset=utf-8').send(text);
}

async function streamed(ctx: ServiceContext, request: FastifyRequest, reply: FastifyReply, call: ChatCall, includeUsage: boolean): Promise<FastifyReply> {
  const events = ctx.router.chatStream(call);
  // Wait for a tier to accept before sending headers, so "no tier" is still a plain error answer.
  const first = await events.next();
  if (first.done || first.value.type !== 'tier') throw new Error('routed stream did not start with a tier');
  let current: Attestation = { model: first.value.model, modelDigest: first.value.digest, tier: first.value.tier };
  const tiers = [current.tier];
  const id = completionId();
  const created = Math.floor(Date.now() / 1000);
  const frame = (payload: unknown) => `data: ${JSON.stringify(payload)}\n\n`;
  const chunk = (delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}) =>
    frame({ id, object: 'chat.completion.chunk', created, model: current.model, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }], ...extra });

  async function* sse(): AsyncGenerator<string> {
    let text = '';
    let finished = false;
    try {
      yield chunk({ role: 'assistant', content: '' }, null);
      let finish: string = 'stop';
      let usage: Usage | undefined;
      for await (const ev of events) {
        if (ev.type === 'tier') {
          current = { model: ev.model, modelDigest: ev.digest, tier: ev.tier };
          tiers.push(ev.tier);
          continue;
        }
        if (ev.delta) {
          text += ev.delta;
          yield chunk({ content: ev.delta }, null);
        }
        if (ev.finish_reason) finish = ev.finish_reason === 'abort' ? 'stop' : ev.finish_reason;
        if (ev.usage) usage = ev.usage;
      }
      const tier = tiers.join('>');
      await closeAudit(ctx, request, { outcome: 'success', status: 200, model: current.model, modelDigest: current.modelDigest, tier, responseDigest: sha256Digest(text) });
      finished = true;
      yield chunk({}, finish, { sovra: attestField(request, { ...current, tier }) });
      if (includeUsage) yield frame({ id, object: 'chat.completion.chunk', created, model: current.model, choices: [], usage: usage ?? null });
      yield 'data: [DONE]\n\n';
    } catch (e) {
      if (call.signal?.aborted) return; // the client went away: recorded below
      const problem = e instanceof ProblemError ? e : new ProblemError(502, 'stream_failed', 'The answer broke off and no tier could continue it.', { cause: e });
      if (!finished) {
        finished = true;
        await closeAudit(ctx, request, { outcome: 'error', status: problem.status, tier: tiers.join('>'), responseDigest: sha256Digest(text), reason: problem.code });
      }
      yield frame(problemBody(problem, { instance: request.url, requestId: request.id, openai: true }));
    } finally {
      if (!finished) {
        // The client went away mid-stream: record what it got.
        await closeAudit(ctx, request, { outcome: 'error', status: 499, tier: tiers.join('>'), responseDigest: sha256Digest(text), reason: 'client_closed' }).catch((e: unknown) =>
          request.log.error({ err: e }, 'audit record could not be written'),
        );
      }
    }
  }

  attest(request, reply, current);
  reply.header('cache-control', 'no-cache').header('x-accel-buffering', 'no').type('text/event-stream; charset=utf-8');
  return reply.send(Readable.from(sse(), { objectMode: false }));
}

/** Registers the chat completions route. */
export function chatRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.post<{ Body: ChatBody }>(
    '/v1/chat/completions',
    {
      config: { sovraRoute: 'chat', openai: true },
      schema: {
        summary: 'Creates a chat completion (OpenAI-compatible), streamed as server-sent events when `stream` is true.',
        tags: ['openai'],
        security: [{ bearer: [] }],
        body: chatRequestSchema,
        response: problemResponses,
      },
    },
    async (request, reply) => {
      const call = chatCallOf(request.body, request.sovra.abort.signal);
      if (request.body.stream === true) return streamed(ctx, request, reply, call, request.body.stream_options?.include_usage === true);
      return whole(ctx, request, reply, call);
    },
  );
}
