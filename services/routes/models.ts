/** GET /v1/models: the models of every reachable tier, first tier first (OpenAI-compatible). */
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../context.js';
import { sha256Digest } from '../digest.js';
import { attest, closeAudit } from '../lifecycle.js';
import { problemResponses } from './common.js';

/** Registers the models route. */
export function modelRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.get(
    '/v1/models',
    {
      config: { sovraRoute: 'models', openai: true },
      schema: { summary: 'Lists the models of the inference tiers (OpenAI-compatible), with their digests and tiers.', tags: ['openai'], security: [{ bearer: [] }], response: problemResponses },
    },
    async (request, reply) => {
      const models = await ctx.router.models(request.sovra.abort.signal);
      const text = JSON.stringify({
        object: 'list',
        data: models.map((m) => ({ id: m.model, object: 'model', created: m.created, owned_by: m.owned_by, digest: m.digest, tier: m.tier })),
      });
      await closeAudit(ctx, request, { outcome: 'success', status: 200, responseDigest: sha256Digest(text) });
      attest(request, reply, undefined);
      return reply.type('application/json; charset=utf-8').send(text);
    },
  );
}
