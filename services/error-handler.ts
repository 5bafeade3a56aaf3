/**
 * Turns every failure into problem+json (with OpenAI's `error` object on
 * the OpenAI-compatible routes), audits it, and parses JSON bodies so that
 * malformed JSON is a 400 and the raw body's digest is known.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServiceContext } from './context.js';
import { sha256Digest } from './digest.js';
import { PROBLEM_CONTENT_TYPE, ProblemError, problemBody } from './errors.js';
import { auditFailure } from './lifecycle.js';

interface ValidationItem {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

/** Dotted path of the field a schema error is about, e.g. `messages.0.role`. */
export function fieldOf(v: ValidationItem): string {
  const path = (v.instancePath ?? '').split('/').filter(Boolean).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const missing = v.params?.missingProperty;
  const extra = v.params?.additionalProperty;
  if (typeof missing === 'string') path.push(missing);
  else if (typeof extra === 'string') path.push(extra);
  return path.join('.');
}

function validationProblem(error: FastifyError): ProblemError {
  const first = (error.validation?.[0] ?? {}) as ValidationItem;
  const field = fieldOf(first);
  const allowed = Array.isArray(first.params?.allowedValues) ? ` (${(first.params.allowedValues as unknown[]).join(', ')})` : '';
  const where = error.validationContext === 'body' || error.validationContext === undefined ? '' : `${error.validationContext} `;
  const subject = field === '' ? `The request ${where || 'body'}` : `Field "${field}"${where ? ` of the ${where.trim()}` : ''}`;
  let what = first.message ?? 'is invalid';
  if (first.keyword === 'required') what = 'is required';
  else if (first.keyword === 'additionalProperties') what = 'is not allowed';
  return new ProblemError(400, 'invalid_request', `${subject} ${what}${allowed}.`, { param: field === '' ? null : field });
}

/** Maps any thrown error to the ProblemError the client sees. */
export function toProblem(error: unknown): ProblemError {
  if (error instanceof ProblemError) return error;
  const e = error as FastifyError;
  if (Array.isArray(e.validation)) return validationProblem(e);
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new ProblemError(415, 'unsupported_media_type', 'The request body must be application/json.');
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new ProblemError(413, 'body_too_large', 'The request body is too large.');
  if (e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return new ProblemError(400, 'invalid_json', 'The request body is empty; it must be a JSON object.');
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) return new ProblemError(e.statusCode, 'bad_request', e.message);
  return new ProblemError(500, 'internal_error', 'The service failed to answer; the incident is logged with this request id.', { cause: error });
}

/** Sends `problem` as the answer of `request`. */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: ProblemError): FastifyReply {
  const openai = request.routeOptions.config?.openai === true || request.url.startsWith('/v1/');
  for (const [k, v] of Object.entries(problem.headers)) reply.header(k, v);
  if (request.sovra?.audit) reply.header('x-sovra-audit-id', request.sovra.audit.id);
  return reply
    .code(problem.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(problemBody(problem, { instance: request.url.split('?')[0]!, requestId: request.id, openai })));
}

/** Installs the JSON body parser, the error handler and the not-found handler. */
export function installErrorHandling(app: FastifyInstance, ctx: ServiceContext): void {
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    if (request.sovra) {
      request.sovra.bodyDigest = sha256Digest(body);
      if (ctx.capturePrompts) request.sovra.bodyText = body.toString('utf8');
    }
    if (body.length === 0) return done(new ProblemError(400, 'invalid_json', 'The request body is empty; it must be a JSON object.'), undefined);
    try {
      done(null, JSON.parse(body.toString('utf8')));
    } catch (e) {
      done(new ProblemError(400, 'invalid_json', `The request body is not valid JSON: ${e instanceof Error ? e.message : String(e)}.`), undefined);
    }
  });

  app.setErrorHandler(async (error, request, reply) => {
    let problem = toProblem(error);
    // A client that went away before the answer started is recorded as such, not as a failure of the service.
    if (request.sovra?.abort.signal.aborted) problem = new ProblemError(499, 'client_closed', 'The client closed the connection before the answer was sent.');
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    if (problem.status === 401 || problem.status === 403 || problem.status === 429) ctx.metrics.denials.inc({ status: String(problem.status), code: problem.code });
    try {
      await auditFailure(ctx, request, problem.status, problem.code);
    } catch (e) {
      // No answer leaves without its audit record: the failure becomes a 503.
      request.log.error({ err: e }, 'audit record could not be written');
      problem = new ProblemError(503, 'audit_unavailable', 'The audit trail could not record this request, so it was not answered.');
    }
    return sendProblem(request, reply, problem);
  });

  app.setNotFoundHandler(async (request, reply) => {
    return sendProblem(request, reply, new ProblemError(404, 'not_found', `There is no route ${request.method} ${request.url.split('?')[0]}.`));
  });
}
