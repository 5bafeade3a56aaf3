/**
 * Retrieval-augmented generation: POST /v1/rag/ingest (documents → chunks →
 * embeddings → pgvector, `Idempotency-Key` honoured) and POST /v1/rag/query
 * (top-k passages; with `generate: true` an answer citing them). Embeddings
 * and answers go through the tier router like any other call.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServiceContext } from '../context.js';
import { sha256Digest } from '../digest.js';
import { ProblemError } from '../errors.js';
import { attest, attestField, closeAudit, type Attestation } from '../lifecycle.js';
import { PGVECTOR_MISSING } from '../rag/store.js';
import type { Embedder, Passage, RagStore } from '../rag/types.js';
import { problemResponses } from './common.js';

/** Ingest body schema. */
export const ingestSchema = {
  type: 'object',
  required: ['documents'],
  properties: {
    documents: {
      type: 'array',
      minItems: 1,
      maxItems: 1000,
      items: {
        type: 'object',
        required: ['id', 'text'],
        properties: {
          id: { type: 'string', minLength: 1, maxLength: 256 },
          text: { type: 'string', minLength: 1 },
          metadata: { type: 'object', additionalProperties: { type: 'string' } },
        },
        additionalProperties: false,
      },
    },
    embedding_model: { type: 'string', minLength: 1 },
  },
  additionalProperties: false,
} as const;

/** Query body schema. */
export const querySchema = {
  type: 'object',
  required: ['query'],
  properties: {
    query: { type: 'string', minLength: 1, maxLength: 8192 },
    top_k: { type: 'integer', minimum: 1, maximum: 50, default: 5 },
    generate: { type: 'boolean', default: false },
    model: { type: 'string', minLength: 1, description: 'Chat model for the answer; needed with `generate` unless the first tier lists one.' },
    embedding_model: { type: 'string', minLength: 1 },
    max_tokens: { type: 'integer', minimum: 1 },
  },
  additionalProperties: false,
} as const;

interface IngestBody {
  documents: { id: string; text: string; metadata?: Record<string, string> }[];
  embedding_model?: string;
}

interface QueryBody {
  query: string;
  top_k: number;
  generate: boolean;
  model?: string;
  embedding_model?: string;
  max_tokens?: number;
}

/** The instruction given with retrieved passages. */
export const RAG_SYSTEM_PROMPT =
  'Answer the question using only the numbered passages below. Cite every passage you use by its source id in square brackets, e.g. [doc-1]. If the passages do not contain the answer, say so.';

function store(ctx: ServiceContext): RagStore {
  // Storage without pgvector first: it is why a started service has no RAG store, and the operator's fix.
  if (ctx.storage && !ctx.storage.hasVector) throw new ProblemError(503, 'vector_store_unavailable', PGVECTOR_MISSING);
  if (!ctx.rag) throw new ProblemError(503, 'rag_unavailable', 'Retrieval is not configured on this service.');
  return ctx.rag;
}

function embedder(ctx: ServiceContext, request: FastifyRequest, model: string | undefined, used: { a?: Attestation }): Embedder {
  return async (inputs) => {
    const r = await ctx.router.embed(inputs, model ?? ctx.embeddingModel, request.sovra.abort.signal);
    used.a = { model: r.model, modelDigest: r.digest, tier: r.tier };
    return { vectors: r.embeddings, model: r.model };
  };
}

function idempotencyKey(request: FastifyRequest): string | undefined {
  const v = request.headers['idempotency-key'];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '' || v.length > 255) {
    throw new ProblemError(400, 'invalid_request', 'Header "Idempotency-Key" must be 1 to 255 characters.', { param: 'Idempotency-Key' });
  }
  return v;
}

/** The chat prompt of a generated answer over `passages`. */
export function ragMessages(question: string, passages: readonly Passage[]) {
  const context = passages.map((p, i) => `(${i + 1}) [${p.sourceId}] ${p.text}`).join('\n\n');
  return [
    { role: 'system' as const, content: `${RAG_SYSTEM_PROMPT}\n\n${context}` },
    { role: 'user' as const, content: question },
  ];
}

/** Registers the RAG routes. */
export function ragRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.post<{ Body: IngestBody }>(
    '/v1/rag/ingest',
    {
      config: { sovraRoute: 'rag' },
      schema: {
        summary: 'Ingests documents: chunks, embeds and stores them for the caller\'s tenant. An `Idempotency-Key` header makes a retry a no-op.',
        tags: ['rag'],
        security: [{ bearer: [] }],
        headers: { type: 'object', properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 255 } } },
        body: ingestSchema,
        response: problemResponses,
      },
    },
    async (request, reply) => {
      const rag = store(ctx);
      const key = idempotencyKey(request);
      const used: { a?: Attestation } = {};
      // The key covers the whole request: the documents and every other field (embedding_model, …).
      const { documents, ...options } = request.body;
      const r = await rag.ingest(request.sovra.principal!.tenant, documents, embedder(ctx, request, options.embedding_model, used), key === undefined ? undefined : { key, request: options });
      const text = JSON.stringify({ object: 'rag.ingest', documents: r.documents, chunks: r.chunks, replayed: r.replayed, sovra: attestField(request, used.a) });
      await closeAudit(ctx, request, { outcome: 'success', status: 200, ...(used.a ? { model: used.a.model, modelDigest: used.a.modelDigest, tier: used.a.tier } : {}), responseDigest: sha256Digest(text) });
      attest(request, reply, used.a);
      if (r.replayed) reply.header('idempotent-replayed', 'true');
      return reply.type('application/json; charset=utf-8').send(text);
    },
  );

  app.post<{ Body: QueryBody }>(
    '/v1/rag/query',
    {
      config: { sovraRoute: 'rag' },
      schema: {
        summary: 'Retrieves the top-k passages for a query, with scores and source ids; with `generate: true` also an answer citing them.',
        tags: ['rag'],
        security: [{ bearer: [] }],
        body: querySchema,
        response: problemResponses,
      },
    },
    async (request, reply) => {
      const rag = store(ctx);
      const body = request.body;
      const used: { a?: Attestation } = {};
      const passages = await rag.query(request.sovra.principal!.tenant, body.query, body.top_k, embedder(ctx, request, body.embedding_model, used));
      let answer: Record<string, unknown> | undefined;
      let a = used.a;
      if (body.generate) {
        const model = body.model ?? (await ctx.router.models(request.sovra.abort.signal))[0]?.model;
        if (!model) throw new ProblemError(400, 'invalid_request', 'Field "model" is required with generate: no tier lists a model.', { param: 'model' });
        const r = await ctx.router.chat({
          model,
          messages: ragMessages(body.query, passages),
          ...(body.max_tokens !== undefined ? { max_tokens: body.max_tokens } : {}),
          signal: request.sovra.abort.signal,
        });
        a = { model: r.model, modelDigest: r.digest, tier: r.tier };
        answer = { content: r.content, citations: [...new Set(passages.map((p) => p.sourceId))], finish_reason: r.finish_reason, usage: r.usage };
      }
      const text = JSON.stringify({
        object: 'rag.query',
        passages: passages.map((p) => ({ source_id: p.sourceId, chunk_index: p.chunkIndex, text: p.text, score: p.score })),
        ...(answer ? { answer } : {}),
        sovra: attestField(request, a),
      });
      await closeAudit(ctx, request, { outcome: 'success', status: 200, ...(a ? { model: a.model, modelDigest: a.modelDigest, tier: a.tier } : {}), responseDigest: sha256Digest(text) });
      attest(request, reply, a);
      return reply.type('application/json; charset=utf-8').send(text);
    },
  );
}
