/** GET /metrics in the Prometheus text format. */
import type { FastifyInstance } from 'fastify';
import { CONTROL_PLANE_PATHS } from '../../contracts/control-plane.js';
import type { ServiceContext } from '../context.js';
import { METRICS_CONTENT_TYPE } from '../metrics.js';

/** Registers `/metrics`. */
export function metricsRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.get(CONTROL_PLANE_PATHS.metrics, { schema: { summary: 'Prometheus metrics: requests, latency, tiers, failovers, audit lag.', tags: ['operations'] } }, async (_request, reply) => {
    return reply.type(METRICS_CONTENT_TYPE).send(ctx.metrics.render());
  });
}
