/**
 * A small keep-alive HTTP client for upstream calls. Failures come back as
 * `TierError`s of kind `unavailable` (connection failure, timeout, 5xx) or
 * `rejected` (4xx); a client's own abort is rethrown as an `AbortError`.
 */
import http from 'node:http';
import https from 'node:https';
import { TierError } from './tier.js';

/** An answered upstream request with a 2xx status. */
export interface UpstreamResponse {
  readonly status: number;
  readonly body: http.IncomingMessage;
}

/** Options of one request. */
export interface RequestOptions {
  readonly method: 'GET' | 'POST';
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** The client's abort signal. */
  readonly signal?: AbortSignal | undefined;
  /** Time limit until the response headers arrive. */
  readonly timeoutMs: number;
}

function abortError(): Error {
  const e = new Error('The request was aborted by the client');
  e.name = 'AbortError';
  return e;
}

/** Keep-alive HTTP(S) to one upstream. */
export class UpstreamHttp {
  private readonly agent: http.Agent;
  private readonly mod: typeof http | typeof https;

  constructor(readonly base: URL) {
    this.mod = base.protocol === 'https:' ? https : http;
    this.agent = new this.mod.Agent({ keepAlive: true, maxSockets: 256 });
  }

  /** Sends a request; resolves on a 2xx with the unread body. */
  request(path: string, options: RequestOptions): Promise<UpstreamResponse> {
    const url = new URL(path.replace(/^\//, ''), this.base.href.endsWith('/') ? this.base.href : `${this.base.href}/`);
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    return new Promise<UpstreamResponse>((resolve, reject) => {
      if (options.signal?.aborted) return reject(abortError());
      let settled = false;
      const fail = (e: Error) => {
        if (settled) return;
        settled = true;
        cleanup();
        req.destroy();
        reject(e);
      };
      const onAbort = () => fail(abortError());
      const timer = setTimeout(() => fail(new TierError('unavailable', `no answer from ${this.base.origin} within ${options.timeoutMs} ms`)), options.timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const req = this.mod.request(url, {
        method: options.method,
        agent: this.agent,
        headers: {
          accept: 'application/json, text/event-stream',
          ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
          ...options.headers,
        },
      });
      req.on('error', (e) => fail(new TierError('unavailable', `cannot reach ${this.base.origin}: ${e.message}`, { cause: e })));
      req.on('response', (res) => {
        if (settled) return res.resume();
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) {
          settled = true;
          cleanup();
          // The client going away also stops an answer already being read.
          const signal = options.signal;
          if (signal) {
            const stop = () => res.destroy(abortError());
            signal.addEventListener('abort', stop, { once: true });
            res.once('close', () => signal.removeEventListener('abort', stop));
          }
          return resolve({ status, body: res });
        }
        // Read the error body (bounded) to relay the upstream's reason.
        readBody(res, 64 * 1024).then(
          (text) => {
            const err = parseError(text);
            const message = err.message ?? `upstream ${this.base.origin} answered HTTP ${status}`;
            fail(new TierError(status >= 500 || status === 429 ? 'unavailable' : 'rejected', message, { status, ...(err.code ? { code: err.code } : {}), ...(err.param ? { param: err.param } : {}) }));
          },
          (e: Error) => fail(new TierError('unavailable', `upstream ${this.base.origin} broke off its answer: ${e.message}`, { status })),
        );
      });
      req.end(payload);
    });
  }

  /** Sends a request and parses the JSON answer, within the same time limit. */
  async json<T>(path: string, options: RequestOptions): Promise<T> {
    const started = performance.now();
    const res = await this.request(path, options);
    const left = Math.max(1, options.timeoutMs - (performance.now() - started));
    const timer = setTimeout(() => res.body.destroy(new Error(`no complete answer within ${options.timeoutMs} ms`)), left);
    try {
      return JSON.parse(await readBody(res.body, 256 * 1024 * 1024)) as T;
    } catch (e) {
      if (options.signal?.aborted) throw abortError();
      throw new TierError('unavailable', `upstream ${this.base.origin} sent a broken answer: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    this.agent.destroy();
  }
}

function readBody(res: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    res.on('data', (b: Buffer) => {
      size += b.length;
      if (size > limit) res.destroy(new Error(`answer larger than ${limit} bytes`));
      else parts.push(b);
    });
    res.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    res.on('error', reject);
    res.on('aborted', () => reject(new Error('connection closed mid-answer')));
  });
}

function parseError(text: string): { message?: string; code?: string; param?: string } {
  try {
    const j = JSON.parse(text) as { error?: { message?: unknown; code?: unknown; param?: unknown } | string; detail?: unknown };
    const e = typeof j.error === 'object' && j.error !== null ? j.error : undefined;
    return {
      ...(typeof e?.message === 'string' ? { message: e.message } : typeof j.error === 'string' ? { message: j.error } : typeof j.detail === 'string' ? { message: j.detail } : {}),
      ...(typeof e?.code === 'string' ? { code: e.code } : {}),
      ...(typeof e?.param === 'string' ? { param: e.param } : {}),
    };
  } catch {
    return text.trim() ? { message: text.trim().slice(0, 500) } : {};
  }
}
