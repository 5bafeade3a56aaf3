/**
 * One HTTP exchange with a registry or token server, over node:http(s)
 * with kept-alive connections: streams both ways, so no blob is ever held
 * whole in memory, and TLS trust is configurable per client (an extra CA,
 * or none for `--insecure`).
 */
import http, { type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { rootCertificates } from 'node:tls';

/** TLS and connection settings of a client. */
export interface TransportOptions {
  /** Extra CA certificates (PEM) trusted besides the system's. */
  readonly ca?: string | Buffer;
  /** Skip TLS certificate verification (`--insecure` on an https registry). */
  readonly insecureSkipVerify?: boolean;
  /** Most connections per host. @default 16 */
  readonly maxSockets?: number;
  /** Idle time after which a request is given up (and retried), ms. @default 60000 */
  readonly idleTimeoutMs?: number;
}

/**
 * Chunks that the transport writes to the request one by one, passing each
 * to `written` once the socket has taken it (the kernel has its bytes), so
 * that its memory can be reused (core/pool.ts). A failure of the chunks'
 * source fails the request with that error.
 */
export interface ChunkedBody {
  /** Made afresh for each attempt. */
  readonly chunks: () => AsyncIterable<Buffer>;
  readonly written: (chunk: Buffer) => void;
}

/** A request body: bytes, a stream made afresh for each attempt, or chunks written one by one. */
export type Body = Buffer | (() => Readable) | ChunkedBody;

/** Makes requests with one pair of agents. */
export class Transport {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly idleTimeoutMs: number;

  constructor(options: TransportOptions = {}) {
    const maxSockets = options.maxSockets ?? 16;
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets });
    // An explicit `ca` replaces Node's default trust, so the default roots are kept beside the extra CA.
    const ca = options.ca ? [...rootCertificates, options.ca] : undefined;
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets, ...(ca ? { ca } : {}), rejectUnauthorized: !options.insecureSkipVerify });
    this.idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  }

  /** Sends one request; resolves when the response head arrives (the body is the caller's to read or drain). */
  request(method: string, url: URL, headers: OutgoingHttpHeaders, body?: Body): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const mod = url.protocol === 'https:' ? https : http;
      const req = mod.request(url, { method, headers, agent: url.protocol === 'https:' ? this.httpsAgent : this.httpAgent }, (res) => {
        res.setTimeout(this.idleTimeoutMs, () => res.destroy(Object.assign(new Error(`no data from ${url.host} for ${this.idleTimeoutMs} ms`), { code: 'ETIMEDOUT' })));
        resolve(res);
      });
      req.setTimeout(this.idleTimeoutMs, () => req.destroy(Object.assign(new Error(`no answer from ${url.host} for ${this.idleTimeoutMs} ms`), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      if (body === undefined) req.end();
      else if (Buffer.isBuffer(body)) req.end(body);
      else if (typeof body === 'function') {
        const stream = body();
        stream.on('error', (e) => req.destroy(e));
        stream.pipe(req);
      } else writeChunks(req, body).catch((e: Error) => req.destroy(e));
    });
  }

  /** Closes idle connections. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

/** Writes `body`'s chunks to `req`, waiting while the socket is full; stops when the request is destroyed. */
async function writeChunks(req: http.ClientRequest, body: ChunkedBody): Promise<void> {
  for await (const c of body.chunks()) {
    if (req.destroyed) return;
    // Reported only when the write succeeded: a chunk of a failed request may still be referenced by it.
    const more = req.write(c, (e) => {
      if (!e) body.written(c);
    });
    if (!more) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          req.off('drain', done);
          req.off('close', done);
          resolve();
        };
        req.on('drain', done);
        req.on('close', done);
      });
    }
  }
  if (!req.destroyed) req.end();
}

/** Reads a whole (small) response body, refusing more than `limit` bytes. */
export async function readBody(res: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of res) {
    n += (chunk as Buffer).length;
    if (n > limit) {
      res.destroy();
      throw Object.assign(new Error(`response larger than ${limit} bytes`), { code: 'ETOOBIG' });
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Discards a response body so its connection can be reused. */
export async function drain(res: IncomingMessage): Promise<void> {
  if (res.readableEnded) return;
  await new Promise<void>((resolve) => {
    res.on('end', resolve);
    res.on('error', () => resolve());
    res.on('close', () => resolve());
    res.resume();
  });
}
