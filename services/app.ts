/**
 * The control plane's HTTP API, built from already-opened parts so tests and
 * the start-up module share it: `buildApp(options)` returns a Fastify
 * instance that is not listening yet.
 */
import { sovraVersion } from '../core/version.js';
import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { AuditTrail } from './audit/types.js';
import { OidcAuthenticator, type Authenticator, type OidcOptions } from './auth/oidc.js';
import type { ServiceContext } from './context.js';
import { installErrorHandling } from './error-handler.js';
import { problemSchema } from './errors.js';
import { installLifecycle } from './lifecycle.js';
import { ServiceMetrics } from './metrics.js';
import { PolicyEngine } from './policy/engine.js';
import type { RagStore } from './rag/types.js';
import { RateLimiter, type RateLimitOptions } from './ratelimit.js';
import type { BreakerOptions } from './routing/breaker.js';
import { TierRouter } from './routing/router.js';
import type { InferenceTier } from './routing/tier.js';
import { chatRoutes } from './routes/chat.js';
import { embeddingRoutes } from './routes/embeddings.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { modelRoutes } from './routes/models.js';
import { ragRoutes } from './routes/rag.js';
import { installGracefulClose } from './server/connections.js';
import type { Storage } from './storage/types.js';

/** Version of the API in the OpenAPI document. */
export const API_VERSION = sovraVersion();

/** The parts and settings of an app. */
export interface AppOptions {
  /** The OIDC issuer and audience access tokens are verified against. */
  readonly oidc: OidcOptions;
  /** Inference tiers in failover order: upstreams first, then the local model. */
  readonly tiers: readonly InferenceTier[];
  /** The audit trail every API request is recorded in. */
  readonly audit: AuditTrail;
  /** Storage, for `/readyz` and the RAG routes' pgvector check. */
  readonly storage?: Storage;
  /** RAG store; without it the RAG routes answer 503. */
  readonly rag?: RagStore;
  /** Authorization rules. @default the shipped rules */
  readonly policy?: PolicyEngine;
  /** Per subject and tenant. @default 50 requests/s, burst 100 */
  readonly rateLimit?: RateLimitOptions;
  /** Circuit breaker of each tier. @default 3 failures, open 10 s */
  readonly breaker?: BreakerOptions;
  /** Embedding model of the RAG routes. @default the first model the answering tier lists */
  readonly embeddingModel?: string;
  /** Put the full request text in audit records. @default false */
  readonly capturePrompts?: boolean;
  /** Fastify logger settings. @default false */
  readonly logger?: FastifyServerOptions['logger'];
  /** Largest request body in bytes. @default 8 MiB */
  readonly bodyLimit?: number;
  /** Metrics registry (tests read it). @default a new one */
  readonly metrics?: ServiceMetrics;
  /** Verifier of bearer tokens. @default an OidcAuthenticator for `oidc` */
  readonly authenticator?: Authenticator;
  /** On close, how long answers in flight may take before their connections are cut, in ms. @default 10000 */
  readonly shutdownGraceMs?: number;
}

/** The app and the router it built (for tests and shutdown). */
export type SovraApp = FastifyInstance & { readonly sovra: { readonly router: TierRouter; readonly metrics: ServiceMetrics } };

/** Builds the API. The caller owns storage, audit and the local model and closes them after `app.close()`. */
export async function buildApp(options: AppOptions): Promise<SovraApp> {
  if (options.tiers.length === 0) throw new Error('buildApp needs at least one inference tier');
  const metrics = options.metrics ?? new ServiceMetrics();
  const router = new TierRouter(options.tiers, metrics, options.breaker);
  const ctx: ServiceContext = {
    router,
    audit: options.audit,
    metrics,
    storage: options.storage,
    rag: options.rag,
    embeddingModel: options.embeddingModel,
    capturePrompts: options.capturePrompts ?? false,
  };
  metrics.auditLag.track({}, () => options.audit.pending);
  metrics.auditUnapplied.track({}, () => options.audit.unapplied);

  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 8 * 1024 * 1024,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    return503OnClosing: true,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: true, allErrors: false } },
  });
  app.decorateRequest('sovra', undefined as never);
  app.decorate('sovra', { router, metrics });
  app.addSchema(problemSchema);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Sovra control plane', version: API_VERSION, description: 'OpenAI-compatible inference with OIDC, CEL policy, tamper-evident audit, RAG and tiered failover.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
  });

  installGracefulClose(app, options.shutdownGraceMs ?? 10_000);
  installErrorHandling(app, ctx);
  installLifecycle(app, ctx, options.authenticator ?? new OidcAuthenticator(options.oidc), options.policy ?? PolicyEngine.fromFile(undefined), new RateLimiter(options.rateLimit ?? { ratePerSecond: 50 }));

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ route, method: request.method, status: String(reply.statusCode) });
    metrics.latency.observe({ route }, reply.elapsedTime / 1000);
  });
  app.addHook('onClose', async () => {
    await router.close();
  });

  chatRoutes(app, ctx);
  embeddingRoutes(app, ctx);
  modelRoutes(app, ctx);
  ragRoutes(app, ctx);
  healthRoutes(app, ctx);
  metricsRoutes(app, ctx);
  await app.ready();
  return app as unknown as SovraApp;
}
