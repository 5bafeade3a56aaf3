/**
 * One error model for the whole API: RFC 7807 problem+json, with OpenAI's
 * `error` object alongside so the official clients raise the right class
 * and show the right message.
 */

/** OpenAI error `type` values the clients know, by HTTP status. */
const OPENAI_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  409: 'conflict_error',
  413: 'invalid_request_error',
  415: 'invalid_request_error',
  422: 'invalid_request_error',
  429: 'rate_limit_error',
};

/** Short titles of the statuses the service answers with. */
const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** An error the API answers with: status, a stable code and a message for the client. */
export class ProblemError extends Error {
  /** HTTP status. */
  readonly status: number;
  /** Stable machine-readable code, e.g. `invalid_token` or `policy_denied`. */
  readonly code: string;
  /** Request field the error is about (OpenAI's `param`), or null. */
  readonly param: string | null;
  /** Extra response headers, e.g. `WWW-Authenticate` or `Retry-After`. */
  readonly headers: Readonly<Record<string, string>>;
  /** Extra problem members, e.g. the denying rule id. */
  readonly extensions: Readonly<Record<string, unknown>>;

  constructor(
    status: number,
    code: string,
    message: string,
    options: { param?: string | null; headers?: Record<string, string>; extensions?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProblemError';
    this.status = status;
    this.code = code;
    this.param = options.param ?? null;
    this.headers = options.headers ?? {};
    this.extensions = options.extensions ?? {};
  }
}

/** The body of an error response. */
export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance?: string;
  readonly code: string;
  readonly request_id?: string;
  readonly error?: { message: string; type: string; code: string; param: string | null };
  readonly [extension: string]: unknown;
}

/** Content type of every error response. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** Builds the problem+json body of `e`; `openai` adds OpenAI's `error` object. */
export function problemBody(e: ProblemError, context: { instance?: string; requestId?: string; openai: boolean }): ProblemBody {
  const body: Record<string, unknown> = {
    type: `urn:sovra:problem:${e.code}`,
    title: TITLES[e.status] ?? 'Error',
    status: e.status,
    detail: e.message,
    code: e.code,
    ...e.extensions,
  };
  if (context.instance !== undefined) body.instance = context.instance;
  if (context.requestId !== undefined) body.request_id = context.requestId;
  if (e.param !== null) body.param = e.param;
  if (context.openai) {
    body.error = { message: e.message, type: OPENAI_TYPES[e.status] ?? (e.status >= 500 ? 'api_error' : 'invalid_request_error'), code: e.code, param: e.param };
  }
  return body as unknown as ProblemBody;
}

/** JSON schema of the problem body, for the OpenAPI document. */
export const problemSchema = {
  $id: 'Problem',
  type: 'object',
  description: 'RFC 7807 problem details; on /v1 routes also OpenAI\'s `error` object.',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    code: { type: 'string' },
    param: { type: 'string' },
    request_id: { type: 'string' },
    error: {
      type: 'object',
      properties: {
        message: { type: 'string' },
        type: { type: 'string' },
        code: { type: 'string' },
        param: { type: ['string', 'null'] },
      },
    },
  },
  required: ['type', 'title', 'status', 'detail', 'code'],
} as const;
