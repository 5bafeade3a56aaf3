/** POST /v1/embeddings, wire-compatible with OpenAI (float or base64 vectors). */
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../context.js';
import { sha256Digest } from '../digest.js';
import { attest, attestField, closeAudit, type Attestation } from '../lifecycle.js';
import { problemResponses } from './common.js';

/** Request body schema. */
export const embeddingsRequestSchema = {
  type: 'object',
  required: ['model', 'input'],
  properties: {
    model: { type: 'string', minLength: 1, maxLength: 256 },
    input: { anyOf: [{ type: 'string' }, { type: 'array', minItems: 1, maxItems: 2048, items: { type: 'string' } }] },
    encoding_format: { type: 'string', enum: ['float', 'base64'] },
    dimensions: { type: 'integer', minimum: 1 },
    user: { type: 'string' },
  },
} as const;

interface EmbeddingsBody {
  model: string;
  input: string | string[];
  encoding_format?: 'float' | 'base64';
  dimensions?: number;
}

/** Little-endian float32 bytes in base64, as OpenAI's `encoding_format: base64`. */
export function base64Vector(v: readonly number[]): string {
  return Buffer.from(new Float32Array(v).buffer).toString('base64');
}

/** Registers the embeddings route. */
export function embeddingRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.post<{ Body: EmbeddingsBody }>(
    '/v1/embeddings',
    {
      config: { sovraRoute: 'embeddings', openai: true },
      schema: { summary: 'Creates embedding vectors (OpenAI-compatible).', tags: ['openai'], security: [{ bearer: [] }], body: embeddingsRequestSchema, response: problemResponses },
    },
    async (request, reply) => {
      const inputs = typeof request.body.input === 'string' ? [request.body.input] : request.body.input;
      const r = await ctx.router.embed(inputs, request.body.model, request.sovra.abort.signal);
      const base64 = request.body.encoding_format === 'base64';
      const a: Attestation = { model: r.model, modelDigest: r.digest, tier: r.tier };
      const text = JSON.stringify({
        object: 'list',
        data: r.embeddings.map((e, index) => ({ object: 'embedding', index, embedding: base64 ? base64Vector(e) : e })),
        model: r.model,
        usage: r.usage,
        sovra: attestField(request, a),
      });
      await closeAudit(ctx, request, { outcome: 'success', status: 200, model: r.model, modelDigest: r.digest, tier: r.tier, responseDigest: sha256Digest(text) });
      attest(request, reply, a);
      return reply.type('application/json; charset=utf-8').send(text);
    },
  );
}
