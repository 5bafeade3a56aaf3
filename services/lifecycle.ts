/**
 * The request lifecycle of the API routes, in order: authenticate →
 * authorize → rate limit → open audit record → (route, retrieve, infer in the
 * handler) → attest → close audit record → respond. Refusals are audited
 * too, with outcome `denied`, before the answer goes out.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditOutcome } from './audit/types.js';
import { unauthorized, type Authenticator } from './auth/oidc.js';
import type { ServiceContext } from './context.js';
import { EMPTY_DIGEST } from './digest.js';
import { ProblemError } from './errors.js';
import type { PolicyEngine } from './policy/engine.js';
import type { RateLimiter } from './ratelimit.js';

/** Response headers of the attestation. */
export const ATTEST_HEADERS = {
  auditId: 'x-sovra-audit-id',
  model: 'x-sovra-model',
  digest: 'x-sovra-model-digest',
  tier: 'x-sovra-tier',
} as const;

/** What the handler learned, for the attestation and the audit record. */
export interface Attestation {
  readonly model: string;
  readonly modelDigest: string;
  readonly tier: string;
}

function bearer(request: FastifyRequest): string {
  const h = request.headers.authorization;
  if (h === undefined || h === '') throw unauthorized('missing_token', 'A bearer token is required (Authorization: Bearer <token>).');
  const m = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(h);
  if (!m) throw unauthorized('invalid_token', 'The Authorization header is not a bearer token.');
  return m[1]!;
}

function header(request: FastifyRequest, name: string): string {
  const v = request.headers[name];
  return typeof v === 'string' ? v : '';
}

/** Installs the lifecycle hooks on the routes marked with `config.sovraRoute`. */
export function installLifecycle(app: FastifyInstance, ctx: ServiceContext, auth: Authenticator, policy: PolicyEngine, limiter: RateLimiter): void {
  app.addHook('onRequest', async (request, reply) => {
    const abort = new AbortController();
    request.sovra = { bodyDigest: EMPTY_DIGEST, bodyText: undefined, principal: undefined, audit: undefined, auditClosed: false, abort };
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) abort.abort();
    });
    if (!request.routeOptions.config.sovraRoute) return;
    request.sovra.principal = await auth.authenticate(bearer(request));
  });

  app.addHook('preHandler', async (request) => {
    const route = request.routeOptions.config.sovraRoute;
    const principal = request.sovra.principal;
    if (!route || !principal) return;
    const body = request.body as { model?: unknown } | undefined;
    const decision = policy.evaluate({
      subject: principal.subject,
      tenant: principal.tenant,
      scopes: principal.scopes,
      classification: header(request, 'x-sovra-classification'),
      purpose: header(request, 'x-sovra-purpose'),
      model: typeof body?.model === 'string' ? body.model : '',
      route,
      action: `${request.method} ${request.routeOptions.url}`,
      claims: principal.claims,
    });
    if (!decision.allowed) {
      throw new ProblemError(403, 'policy_denied', `Denied by policy rule "${decision.ruleId}": ${decision.message}`, { extensions: { rule: decision.ruleId } });
    }
    const rate = limiter.take(principal.tenant, principal.subject);
    if (!rate.allowed) {
      throw new ProblemError(429, 'rate_limited', `Rate limit reached for subject "${principal.subject}" of tenant "${principal.tenant}"; retry after ${rate.retryAfterSeconds} s.`, {
        headers: { 'retry-after': String(rate.retryAfterSeconds) },
      });
    }
    request.sovra.audit = ctx.audit.begin({
      action: `${request.method} ${request.routeOptions.url}`,
      subject: principal.subject,
      tenant: principal.tenant,
      sourceIp: request.ip,
      requestId: request.id,
      requestDigest: request.sovra.bodyDigest,
      ...(ctx.capturePrompts && request.sovra.bodyText !== undefined ? { requestText: request.sovra.bodyText } : {}),
    });
  });
}

/** Closes the request's audit record (durably); a second call does nothing. */
export async function closeAudit(ctx: ServiceContext, request: FastifyRequest, outcome: AuditOutcome): Promise<void> {
  const s = request.sovra;
  if (!s.audit || s.auditClosed) return;
  s.auditClosed = true;
  await ctx.audit.commit(s.audit, outcome);
}

/**
 * Audits a request that ends in an error: closes its open record, or, for a
 * refusal before the record was opened (401, 403, 429), writes one.
 */
export async function auditFailure(ctx: ServiceContext, request: FastifyRequest, status: number, code: string): Promise<void> {
  const s = request.sovra as typeof request.sovra | undefined;
  if (!s || !request.routeOptions.config.sovraRoute) return;
  const denied = status === 401 || status === 403 || status === 429;
  if (!s.audit) {
    if (!denied) return;
    s.audit = ctx.audit.begin({
      action: `${request.method} ${request.routeOptions.url}`,
      subject: s.principal?.subject ?? 'anonymous',
      ...(s.principal ? { tenant: s.principal.tenant } : {}),
      sourceIp: request.ip,
      requestId: request.id,
      requestDigest: s.bodyDigest,
    });
  }
  await closeAudit(ctx, request, { outcome: denied ? 'denied' : 'error', status, reason: code });
}

/** Sets the attestation headers: audit id, model, digest and tier. */
export function attest(request: FastifyRequest, reply: FastifyReply, a: Attestation | undefined): void {
  if (request.sovra.audit) reply.header(ATTEST_HEADERS.auditId, request.sovra.audit.id);
  if (a) {
    reply.header(ATTEST_HEADERS.model, a.model);
    reply.header(ATTEST_HEADERS.digest, a.modelDigest);
    reply.header(ATTEST_HEADERS.tier, a.tier);
  }
}

/** The attestation as a body field of non-streaming answers. */
export function attestField(request: FastifyRequest, a: Attestation | undefined): Record<string, string> {
  return {
    audit_id: request.sovra.audit?.id ?? '',
    ...(a ? { model: a.model, model_digest: a.modelDigest, tier: a.tier } : {}),
  };
}
