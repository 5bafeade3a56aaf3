/** Liveness, readiness and the OpenAPI document; unauthenticated, for probes and tools. */
import type { FastifyInstance } from 'fastify';
import { CONTROL_PLANE_PATHS } from '../../contracts/control-plane.js';
import type { ServiceContext } from '../context.js';

const READY_TIMEOUT_MS = 2000;

/** State of retrieval; informational: a service without it still serves chat, embeddings and models, so it is ready. */
function ragCheck(ctx: ServiceContext): string {
  if (ctx.storage && !ctx.storage.hasVector) return 'off: the database has no pgvector extension (/v1/rag/* answer 503)';
  return ctx.rag ? 'ok' : 'off: not configured (/v1/rag/* answer 503)';
}

/** Registers `/healthz`, `/readyz` and `/openapi.json`. */
export function healthRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.get(CONTROL_PLANE_PATHS.liveness, { schema: { summary: 'Liveness: the process answers.', tags: ['operations'] } }, async () => ({ status: 'ok' }));

  app.get(CONTROL_PLANE_PATHS.readiness, { schema: { summary: 'Readiness: storage and at least one inference tier are reachable. `checks.rag` says whether retrieval is on; it does not decide readiness.', tags: ['operations'] } }, async (_request, reply) => {
    const storage = ctx.storage
      ? await Promise.race([
          ctx.storage.ping().then(
            () => 'ok',
            (e: unknown) => `failed: ${e instanceof Error ? e.message : String(e)}`,
          ),
          new Promise<string>((resolve) => setTimeout(() => resolve('failed: no answer within 2 s'), READY_TIMEOUT_MS).unref()),
        ])
      : 'failed: not configured';
    const tier = await ctx.router.reachable(READY_TIMEOUT_MS);
    const ready = storage === 'ok' && tier !== undefined;
    return reply.code(ready ? 200 : 503).send({
      status: ready ? 'ready' : 'not ready',
      checks: { storage, inference: tier ? `ok (${tier})` : 'failed: no tier reachable', rag: ragCheck(ctx) },
      breakers: ctx.router.breakerStates(),
    });
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
