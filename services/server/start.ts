/**
 * Start-up wiring of the control plane, apart from the app (STYLE.md,
 * Fastify): opens storage, the audit trail, the policy and the tiers from a
 * checked `ServeConfig`, builds the app and listens. `close()` shuts down in
 * the reverse order: stop taking requests and let those in flight finish,
 * then flush the audit trail (final checkpoint), then close storage, then
 * the local model.
 *
 * RAG: the store is opened when the database has pgvector (the embedded
 * PGlite always has it). A PostgreSQL server without the extension still
 * serves chat, embeddings and models, and `/readyz` still reports ready
 * (retrieval is an optional feature, not a dependency of the others);
 * `/v1/rag/*` then answer 503 `vector_store_unavailable` saying how to get
 * pgvector, and start-up logs the same as a warning.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyServerOptions } from 'fastify';
import { SovraError } from '../../core/errors.js';
import type { LocalModel } from '../../native/types.js';
import { buildApp, type SovraApp } from '../app.js';
import { openAuditTrail } from '../audit/index.js';
import type { AuditTrail } from '../audit/types.js';
import { PolicyEngine } from '../policy/engine.js';
import { loadPolicyFile } from '../policy/rules.js';
import { openRagStore, PGVECTOR_MISSING } from '../rag/store.js';
import type { RagStore } from '../rag/types.js';
import { LocalTier } from '../routing/local.js';
import type { InferenceTier } from '../routing/tier.js';
import { UpstreamTier } from '../routing/upstream.js';
import { openStorage } from '../storage/index.js';
import type { Storage } from '../storage/types.js';
import type { ServeConfig } from './config.js';

/** A listening control plane. */
export interface RunningServer {
  /** `http://host:port` it listens on. */
  readonly url: string;
  readonly app: SovraApp;
  /** Names and targets of the tiers in failover order. */
  readonly tiers: readonly string[];
  /** Where records are stored, for the start-up line (no credentials). */
  readonly storageLabel: string;
  /** Whether `/v1/rag/*` are served: false on a PostgreSQL server without pgvector. */
  readonly rag: boolean;
  /** Graceful stop; safe to call more than once. */
  close(): Promise<void>;
}

/** Knobs of `startServer` that are not user options. */
export interface StartOptions {
  /** Fastify logger. @default info-level JSON lines on stdout */
  readonly logger?: FastifyServerOptions['logger'];
}

function redact(url: string): string {
  return url.replace(/:\/\/([^:@/]+):[^@/]*@/, '://$1:***@');
}

async function loadLocal(spec: NonNullable<ServeConfig['localModel']>): Promise<LocalModel> {
  // node-llama-cpp is loaded only when a local model is configured.
  const native = await import('../../native/index.js');
  try {
    return await native.loadLocalModel({ path: spec.path, sha256: spec.sha256 });
  } catch (e) {
    if (e instanceof SovraError) throw new SovraError(e.code, `sovra serve: --local-model: ${e.message}`, { cause: e });
    throw e;
  }
}

/** Opens every part and listens; a part that fails to open closes those already opened. */
export async function startServer(config: ServeConfig, options: StartOptions = {}): Promise<RunningServer> {
  const opened: (() => Promise<void>)[] = [];
  const unwind = async () => {
    for (const close of opened.reverse()) await close().catch(() => undefined);
  };
  try {
    const policy = config.policy ? PolicyEngine.fromFile(await loadPolicyFile(config.policy), config.policy) : PolicyEngine.fromFile(undefined);
    // The model's pin is checked before the database is opened: a wrong file stops start-up early.
    const model = config.localModel ? await loadLocal(config.localModel) : undefined;
    if (model) opened.push(() => model.close());
    const storage: Storage = await openStorage(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir! });
    opened.push(() => storage.close());
    const audit: AuditTrail = await openAuditTrail(storage, config.auditKey ? { signingKey: config.auditKey } : {});
    opened.push(() => audit.close());
    // Nothing to close: the store lives in storage's connections.
    const rag: RagStore | undefined = storage.hasVector ? await openRagStore(storage) : undefined;

    const keyOf = (i: number) => config.upstreamApiKeys?.[i];
    const tiers: InferenceTier[] = config.upstreams.map((baseUrl, i) => new UpstreamTier({ name: `upstream-${i}`, baseUrl, ...(keyOf(i) ? { apiKey: keyOf(i) } : {}) }));
    // The start-up line says whether a tier sends a key, never the key.
    const described = config.upstreams.map((u, i) => `upstream-${i} ${redact(u)}${keyOf(i) ? ' (API key from file)' : ''}`);
    if (model) {
      tiers.push(new LocalTier(model));
      described.push(`local ${model.id} ${model.digest}`);
    }

    const app = await buildApp({
      oidc: { issuer: config.oidcIssuer, audience: config.oidcAudience },
      tiers,
      audit,
      storage,
      ...(rag ? { rag } : {}),
      ...(config.embeddingModel ? { embeddingModel: config.embeddingModel } : {}),
      policy,
      logger: options.logger ?? { level: 'info' },
    });
    opened.push(() => app.close());
    if (!rag) app.log.warn(`RAG is off (/v1/rag/* answer 503): ${PGVECTOR_MISSING}`);
    try {
      await app.listen({ host: config.host, port: config.port });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
        throw new SovraError('bad-config', `sovra serve: cannot listen on ${config.host}:${config.port} (${code}). Choose another --host/--port (HOST/PORT).`, { cause: e });
      }
      throw e;
    }
    const addr = app.server.address() as AddressInfo;
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    let closing: Promise<void> | undefined;
    return {
      url: `http://${host}:${addr.port}`,
      app,
      tiers: described,
      storageLabel: config.databaseUrl ? `PostgreSQL ${redact(config.databaseUrl)}` : `embedded PostgreSQL in ${config.dataDir}`,
      rag: rag !== undefined,
      close() {
        closing ??= unwind();
        return closing;
      },
    };
  } catch (e) {
    await unwind();
    throw e;
  }
}
