/**
 * What every route shares: the parts of the service and the per-request
 * state that the lifecycle hooks fill in (principal, audit record,
 * attestation).
 */
import type { AuditHandle, AuditTrail } from './audit/types.js';
import type { Principal } from './auth/oidc.js';
import type { ServiceMetrics } from './metrics.js';
import type { RagStore } from './rag/types.js';
import type { TierRouter } from './routing/router.js';
import type { Storage } from './storage/types.js';

/** Route names the policy's `route` attribute and the default scopes use. */
export type RouteName = 'chat' | 'embeddings' | 'models' | 'rag';

/** State of one request as it moves through the lifecycle. */
export interface RequestState {
  /** `sha256:<hex>` of the raw request body (of `` when there is none). */
  bodyDigest: string;
  /** Raw body text, kept only when prompt capture is on. */
  bodyText: string | undefined;
  principal: Principal | undefined;
  audit: AuditHandle | undefined;
  /** True once the audit record is committed. */
  auditClosed: boolean;
  /** Aborted when the client goes away before the answer is complete. */
  abort: AbortController;
}

/** The service's parts, as the routes see them. */
export interface ServiceContext {
  readonly router: TierRouter;
  readonly audit: AuditTrail;
  readonly metrics: ServiceMetrics;
  readonly storage: Storage | undefined;
  readonly rag: RagStore | undefined;
  /** Model used to embed RAG documents and queries, unless the request names one. */
  readonly embeddingModel: string | undefined;
  readonly capturePrompts: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Lifecycle state; set by the first hook of every request. */
    sovra: RequestState;
  }
  interface FastifyContextConfig {
    /** Marks a route as part of the authenticated, authorized, audited API. */
    sovraRoute?: RouteName;
    /** The route is OpenAI-compatible: errors carry OpenAI's `error` object. */
    openai?: boolean;
  }
}
