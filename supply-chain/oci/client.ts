/**
 * An OCI distribution client: manifests and blobs, pulled and pushed, with
 * Basic and bearer-token authentication, retries with exponential backoff,
 * kept-alive connections, chunked uploads, cross-repository mounts and
 * ranged (resumable) blob reads. Every manifest is checked against its
 * digest before it is returned; blobs are checked by the code that streams
 * them (see cache.ts and push.ts), never held whole in memory.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { release } from '../../core/pool.js';
import { basicHeader, CredentialStore, parseChallenge, type Challenge } from './auth.js';
import { isOciError, OciError } from './errors.js';
import { drain, readBody, Transport, type Body, type TransportOptions } from './http.js';
import { MANIFEST_ACCEPT, MAX_MANIFEST_BYTES, parseManifest, type ParsedManifest } from './manifest.js';
import { apiHost, isLoopback } from './reference.js';

/** Settings of a client. */
export interface ClientOptions extends TransportOptions {
  /** Where credentials come from. @default none */
  readonly credentials?: CredentialStore;
  /**
   * Registries that may be spoken to over plain HTTP (tried with TLS first,
   * as Docker does for insecure registries). Loopback registries always may.
   */
  readonly insecureRegistries?: readonly string[];
  /** Attempts after the first, for each request. @default 4 */
  readonly retries?: number;
  /** First backoff delay, doubled at each retry. @default 200 */
  readonly backoffMs?: number;
  /** Size of one PATCH of a chunked upload. @default 64 MiB */
  readonly chunkSize?: number;
  /** Called before each retry, for progress output and tests. */
  readonly onRetry?: (what: string, attempt: number, reason: string) => void;
}

/** A repository on a registry. */
export interface Repo {
  readonly registry: string;
  readonly repository: string;
}

/** A manifest as fetched: its exact bytes, digest and parsed references. */
export interface FetchedManifest {
  readonly bytes: Buffer;
  readonly digest: string;
  readonly mediaType: string;
  readonly parsed: ParsedManifest;
}

interface CachedAuth {
  readonly header: string;
  readonly expires: number;
}

const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET']);

/** `sha256:<hex>` of `data`. */
export function sha256Digest(data: Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Whether a thrown error is a transient network failure worth retrying. */
export function isTransient(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code && NETWORK_CODES.has(code)) return true;
  const msg = (e as Error | undefined)?.message ?? '';
  return /socket hang up|aborted|premature close/i.test(msg);
}

/** A TLS handshake failure that means the server speaks plain HTTP. */
function isPlainHttpServer(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code ?? '';
  const msg = (e as Error | undefined)?.message ?? '';
  return code === 'EPROTO' || code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long/i.test(msg);
}

/** The distribution spec's error body, in one line. */
async function errorText(res: IncomingMessage): Promise<string> {
  try {
    const body = (await readBody(res, 64 << 10)).toString('utf8');
    const doc = JSON.parse(body) as { errors?: Array<{ code?: string; message?: string }> };
    if (Array.isArray(doc.errors) && doc.errors.length > 0) return doc.errors.map((e) => `${e.code ?? '?'}: ${e.message ?? ''}`).join('; ');
    return body.slice(0, 200);
  } catch {
    return '';
  }
}

/** Talks to any number of registries with one set of credentials and settings. */
export class RegistryClient {
  private readonly transport: Transport;
  private readonly credentials: CredentialStore;
  private readonly insecure: ReadonlySet<string>;
  private readonly retries: number;
  private readonly backoffMs: number;
  readonly chunkSize: number;
  private readonly onRetry: ClientOptions['onRetry'];
  private readonly bases = new Map<string, Promise<string>>();
  /** Authorization by `registry|scope` (bearer) or `registry` (basic). */
  private readonly auth = new Map<string, CachedAuth>();
  /** Requests sent, by method (tests read it to prove a cache hit fetched nothing). */
  readonly requests = { count: 0 };

  constructor(options: ClientOptions = {}) {
    this.transport = new Transport(options);
    this.credentials = options.credentials ?? CredentialStore.none();
    this.insecure = new Set(options.insecureRegistries ?? []);
    this.retries = options.retries ?? 4;
    this.backoffMs = options.backoffMs ?? 200;
    this.chunkSize = options.chunkSize ?? 64 << 20;
    this.onRetry = options.onRetry;
  }

  /** Closes idle connections. */
  close(): void {
    this.transport.close();
  }

  /** `https` or `http`: how `registry` is spoken to (found out on first contact for an insecure registry). */
  async scheme(registry: string): Promise<'http' | 'https'> {
    return (await this.base(registry)).startsWith('http://') ? 'http' : 'https';
  }

  /** `https://host` or, for an insecure registry that does not speak TLS, `http://host`. */
  private base(registry: string): Promise<string> {
    let p = this.bases.get(registry);
    if (!p) {
      p = this.discoverBase(registry);
      this.bases.set(registry, p);
      p.catch(() => this.bases.delete(registry));
    }
    return p;
  }

  private async discoverBase(registry: string): Promise<string> {
    const host = apiHost(registry);
    if (!isLoopback(registry) && !this.insecure.has(registry)) return `https://${host}`;
    try {
      const res = await this.transport.request('GET', new URL(`https://${host}/v2/`), {});
      await drain(res);
      return `https://${host}`;
    } catch (e) {
      if (isPlainHttpServer(e)) return `http://${host}`;
      if (isTransient(e)) throw new OciError('network', `cannot reach registry ${registry}: ${(e as Error).message}`, { cause: e });
      throw new OciError('network', `registry ${registry}: TLS failed (${(e as Error).message}); give its CA with --ca, or --insecure to skip verification`, { cause: e });
    }
  }

  private async backoff(attempt: number, what: string, reason: string, retryAfter?: string): Promise<void> {
    this.onRetry?.(what, attempt + 1, reason);
    const after = retryAfter && /^\d+$/.test(retryAfter) ? Math.min(Number(retryAfter) * 1000, 30_000) : 0;
    const delay = Math.max(after, this.backoffMs * 2 ** attempt * (0.75 + Math.random() / 2));
    await sleep(delay);
  }

  private authFor(registry: string, scope: string): string | undefined {
    const now = Date.now();
    for (const key of [`${registry}|${scope}`, registry]) {
      const a = this.auth.get(key);
      if (a && a.expires > now) return a.header;
    }
    return undefined;
  }

  /** Answers a 401 challenge: a bearer token for `scope`, or Basic credentials. */
  private async authenticate(registry: string, scope: string, challenge: Challenge | undefined, repoText: string): Promise<void> {
    const creds = this.credentials.get(registry);
    if (!challenge || (challenge.scheme !== 'bearer' && challenge.scheme !== 'basic')) {
      throw new OciError('auth', `registry ${registry} asked for authentication without a Bearer or Basic challenge (${repoText})`);
    }
    if (challenge.scheme === 'basic') {
      if (!creds) throw new OciError('auth', `registry ${registry} needs credentials for ${repoText}: ${this.credentials.howTo(registry)}`);
      this.auth.set(registry, { header: basicHeader(creds), expires: Number.POSITIVE_INFINITY });
      return;
    }
    const realm = challenge.params.realm;
    if (!realm) throw new OciError('auth', `registry ${registry}: its Bearer challenge names no realm`);
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new OciError('auth', `registry ${registry}: Bearer realm ${JSON.stringify(realm)} is not a URL`);
    }
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    // The registry says which scope this request needs; ours is the same or wider (push implies pull).
    const scopes = new Set([...(challenge.params.scope ? challenge.params.scope.split(' ') : []), ...scope.split(' ')].filter(Boolean));
    for (const s of scopes) url.searchParams.append('scope', s);
    const headers: OutgoingHttpHeaders = { accept: 'application/json' };
    if (creds) headers.authorization = basicHeader(creds);
    let lastError: unknown;
    for (let attempt = 0; attempt <= this.retries; attempt++) {
      let res: IncomingMessage;
      try {
        this.requests.count++;
        res = await this.transport.request('GET', url, headers);
      } catch (e) {
        lastError = e;
        if (isTransient(e) && attempt < this.retries) {
          await this.backoff(attempt, `token ${url.host}`, (e as Error).message);
          continue;
        }
        throw new OciError('network', `token server ${url.host} of registry ${registry}: ${(e as Error).message}`, { cause: e });
      }
      if (res.statusCode === 401 || res.statusCode === 403) {
        const text = await errorText(res);
        throw new OciError('auth', `token server ${url.host} refused ${creds ? `the credentials of ${creds.username}` : 'an anonymous request'} for ${[...scopes].join(' ')} (${res.statusCode}${text ? `: ${text}` : ''})${creds ? '' : `; ${this.credentials.howTo(registry)}`}`);
      }
      if (RETRY_STATUS.has(res.statusCode ?? 0) && attempt < this.retries) {
        await drain(res);
        await this.backoff(attempt, `token ${url.host}`, `status ${res.statusCode}`, res.headers['retry-after'] as string | undefined);
        continue;
      }
      if (res.statusCode !== 200) throw new OciError('auth', `token server ${url.host} answered ${res.statusCode}: ${await errorText(res)}`);
      const doc = JSON.parse((await readBody(res, 1 << 20)).toString('utf8')) as { token?: string; access_token?: string; expires_in?: number };
      const token = doc.token ?? doc.access_token;
      if (!token) throw new OciError('auth', `token server ${url.host} returned no token`);
      // Tokens last 60 s unless the server says otherwise; renewed 5 s early.
      const life = (typeof doc.expires_in === 'number' && doc.expires_in > 0 ? doc.expires_in : 60) * 1000 - 5000;
      this.auth.set(`${registry}|${scope}`, { header: `Bearer ${token}`, expires: Date.now() + Math.max(life, 1000) });
      return;
    }
    throw new OciError('network', `token server ${url.host}: ${(lastError as Error)?.message}`);
  }

  /**
   * Sends a request to `registry` (path under `/v2/` or an absolute upload
   * URL), answering auth challenges, following redirects and retrying
   * transient failures. Statuses in `ok` resolve; others throw by kind.
   */
  async send(
    repo: Repo,
    actions: 'pull' | 'push',
    method: string,
    path: string | URL,
    options: { headers?: OutgoingHttpHeaders; body?: Body; ok: readonly number[]; what: string; extraScope?: string; retry?: boolean },
  ): Promise<IncomingMessage> {
    const base = await this.base(repo.registry);
    let url = typeof path === 'string' ? new URL(path, base) : path;
    const scope = [`repository:${repo.repository}:${actions === 'push' ? 'pull,push' : 'pull'}`, ...(options.extraScope ? [options.extraScope] : [])].join(' ');
    let authTried = false;
    let redirects = 0;
    for (let attempt = 0; ; ) {
      const headers: OutgoingHttpHeaders = { 'user-agent': 'sovra', ...(options.headers ?? {}) };
      const sameHost = url.host === new URL(base).host;
      const auth = sameHost ? this.authFor(repo.registry, scope) : undefined;
      if (auth) headers.authorization = auth;
      let res: IncomingMessage;
      try {
        this.requests.count++;
        res = await this.transport.request(method, url, headers, options.body);
      } catch (e) {
        // An error of the body's own source (a short or corrupt stream, a broken archive) is that error, not the network's.
        if (isOciError(e) || (e as Error).name === 'SovraError') throw e;
        if (isTransient(e) && attempt < this.retries && options.retry !== false) {
          await this.backoff(attempt++, options.what, (e as Error).message);
          continue;
        }
        throw new OciError('network', `${options.what}: ${(e as Error).message}${attempt > 0 ? ` (after ${attempt + 1} attempts)` : ''}`, { cause: e });
      }
      const status = res.statusCode ?? 0;
      if (status === 401 && sameHost) {
        await drain(res);
        if (authTried || options.retry === false) {
          const creds = this.credentials.get(repo.registry);
          throw new OciError('auth', `registry ${repo.registry} refused ${creds ? `the credentials of ${creds.username}` : 'access without credentials'} for ${options.what}${creds ? '' : `: ${this.credentials.howTo(repo.registry)}`}`);
        }
        authTried = true;
        this.auth.delete(`${repo.registry}|${scope}`);
        await this.authenticate(repo.registry, scope, parseChallenge(String(res.headers['www-authenticate'] ?? '')), options.what);
        continue;
      }
      if ([301, 302, 303, 307, 308].includes(status) && res.headers.location && (method === 'GET' || method === 'HEAD') && !options.ok.includes(status)) {
        await drain(res);
        if (++redirects > 5) throw new OciError('http', `${options.what}: too many redirects`);
        url = new URL(res.headers.location, url);
        continue;
      }
      if (options.ok.includes(status)) return res;
      if (RETRY_STATUS.has(status) && attempt < this.retries && options.retry !== false) {
        await drain(res);
        await this.backoff(attempt++, options.what, `status ${status}`, res.headers['retry-after'] as string | undefined);
        continue;
      }
      const text = method === 'HEAD' ? '' : await errorText(res);
      if (method === 'HEAD') await drain(res);
      if (status === 404) throw new OciError('not-found', `${options.what}: not found (404${text ? `: ${text}` : ''})`);
      if (status === 403) throw new OciError('auth', `${options.what}: forbidden (403${text ? `: ${text}` : ''})`);
      throw new OciError('http', `${options.what}: registry answered ${status}${text ? ` (${text})` : ''}`);
    }
  }

  /**
   * The manifest or index at `reference` (tag or digest), verified: its
   * bytes hash to the digest asked for, and to the `Docker-Content-Digest`
   * the registry announced.
   */
  async getManifest(repo: Repo, reference: string): Promise<FetchedManifest> {
    const what = `manifest ${repo.registry}/${repo.repository}${reference.startsWith('sha256:') ? '@' : ':'}${reference}`;
    const res = await this.send(repo, 'pull', 'GET', `/v2/${repo.repository}/manifests/${reference}`, { headers: { accept: MANIFEST_ACCEPT.join(', ') }, ok: [200], what });
    let bytes: Buffer;
    try {
      bytes = await readBody(res, MAX_MANIFEST_BYTES);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ETOOBIG') throw new OciError('protocol', `${what}: larger than ${MAX_MANIFEST_BYTES} bytes`);
      throw new OciError('network', `${what}: ${(e as Error).message}`, { cause: e });
    }
    const digest = sha256Digest(bytes);
    if (reference.startsWith('sha256:') && digest !== reference) throw new OciError('digest-mismatch', `${what}: the registry served bytes whose digest is ${digest}`);
    const announced = res.headers['docker-content-digest'];
    if (typeof announced === 'string' && announced.startsWith('sha256:') && announced !== digest) {
      throw new OciError('digest-mismatch', `${what}: Docker-Content-Digest says ${announced} but the bytes hash to ${digest}`);
    }
    const parsed = parseManifest(bytes, res.headers['content-type'], what);
    return { bytes, digest, mediaType: parsed.mediaType, parsed };
  }

  /** Whether the registry has the manifest `reference`. */
  async hasManifest(repo: Repo, reference: string): Promise<boolean> {
    const what = `manifest ${repo.registry}/${repo.repository}@${reference}`;
    const res = await this.send(repo, 'pull', 'HEAD', `/v2/${repo.repository}/manifests/${reference}`, { headers: { accept: MANIFEST_ACCEPT.join(', ') }, ok: [200, 404], what });
    await drain(res);
    return res.statusCode === 200;
  }

  /** Opens blob `digest` from byte `offset` on (a Range request when `offset > 0`). */
  async openBlob(repo: Repo, digest: string, offset = 0): Promise<IncomingMessage> {
    const what = `blob ${repo.registry}/${repo.repository}@${digest}`;
    return this.send(repo, 'pull', 'GET', `/v2/${repo.repository}/blobs/${digest}`, { headers: offset > 0 ? { range: `bytes=${offset}-` } : {}, ok: [200, 206], what });
  }

  /** Whether the registry has blob `digest` in `repo`. */
  async hasBlob(repo: Repo, digest: string): Promise<boolean> {
    const what = `blob ${repo.registry}/${repo.repository}@${digest}`;
    const res = await this.send(repo, 'push', 'HEAD', `/v2/${repo.repository}/blobs/${digest}`, { ok: [200, 404], what });
    await drain(res);
    return res.statusCode === 200;
  }

  /**
   * Mounts blob `digest` from repository `from` of the same registry.
   * True when mounted; false when the registry started an upload instead
   * (that upload is cancelled: the caller uploads the blob).
   */
  async mountBlob(repo: Repo, digest: string, from: string): Promise<boolean> {
    const what = `mount of ${digest} from ${from} into ${repo.registry}/${repo.repository}`;
    const path = `/v2/${repo.repository}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`;
    const res = await this.send(repo, 'push', 'POST', path, { ok: [201, 202], what, extraScope: `repository:${from}:pull`, headers: { 'content-length': '0' } });
    await drain(res);
    if (res.statusCode === 201) return true;
    if (res.headers.location) {
      const loc = new URL(res.headers.location, await this.base(repo.registry));
      await this.send(repo, 'push', 'DELETE', loc, { ok: [204, 404], what: `cancel of ${what}` }).then(drain, () => undefined);
    }
    return false;
  }

  /**
   * Uploads blob `digest` of `size` bytes read from `source`, streamed in
   * PATCH chunks of `chunkSize` (nothing is buffered beyond the stream's own
   * chunks). The bytes are hashed on the way and the upload is committed
   * only if they match the digest and the size; the registry checks the
   * digest again when the upload is closed. A streamed chunk cannot be sent
   * twice, so a broken connection fails the upload (a new upload starts
   * over; blobs already pushed are skipped).
   */
  async uploadBlob(repo: Repo, digest: string, size: number, source: AsyncIterable<Buffer>): Promise<void> {
    const what = `upload of ${digest} to ${repo.registry}/${repo.repository}`;
    const base = await this.base(repo.registry);
    const start = await this.send(repo, 'push', 'POST', `/v2/${repo.repository}/blobs/uploads/`, { ok: [202], what, headers: { 'content-length': '0' } });
    await drain(start);
    if (!start.headers.location) throw new OciError('protocol', `${what}: the registry gave no upload location`);
    let location = new URL(start.headers.location, base);
    const it = source[Symbol.asyncIterator]();
    const hash = createHash('sha256');
    let carry: Buffer | undefined;
    let sent = 0;
    // Small chunks (a pipe gives 64 KiB at a time) are gathered into writes of up to 1 MiB: fewer, larger socket
    // writes keep the registry busy. Chunks that large already pass as they are (no copy).
    const GATHER = 1 << 20;
    // Gathered chunks are copied: the originals are released at once (their memory reused when pooled).
    const gathered = (parts: Buffer[], n: number): Buffer => {
      if (parts.length === 1) return parts[0]!;
      const out = Buffer.concat(parts, n);
      for (const p of parts) release(p);
      return out;
    };
    const take = async function* (n: number): AsyncGenerator<Buffer> {
      let left = n;
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      while (left > 0) {
        let c = carry;
        carry = undefined;
        if (!c) {
          const r = await it.next();
          if (r.done) throw new OciError('digest-mismatch', `${what}: the source ended after ${sent + n - left} of the ${size} bytes announced`);
          c = r.value;
        }
        if (c.length > left) {
          carry = c.subarray(left);
          c = c.subarray(0, left);
        }
        hash.update(c);
        left -= c.length;
        if (c.length >= GATHER) {
          if (pendingBytes > 0) yield gathered(pending, pendingBytes);
          pending = [];
          pendingBytes = 0;
          yield c;
          continue;
        }
        pending.push(c);
        pendingBytes += c.length;
        if (pendingBytes >= GATHER || left === 0) {
          yield gathered(pending, pendingBytes);
          pending = [];
          pendingBytes = 0;
        }
      }
    };
    const cancel = (): Promise<void> => this.send(repo, 'push', 'DELETE', location, { ok: [204, 404], what: `cancel of ${what}` }).then(drain, () => undefined);
    try {
      while (sent < size) {
        const len = Math.min(this.chunkSize, size - sent);
        const res = await this.send(repo, 'push', 'PATCH', location, {
          ok: [202],
          what: `${what} (bytes ${sent}-${sent + len - 1})`,
          headers: { 'content-type': 'application/octet-stream', 'content-length': String(len), 'content-range': `${sent}-${sent + len - 1}` },
          // Each chunk is released once the socket has it: chunks of a pool (a bundle's stored layers) are reused.
          body: { chunks: () => take(len), written: release },
          retry: false,
        });
        await drain(res);
        sent += len;
        if (res.headers.location) location = new URL(res.headers.location, base);
      }
      const more = carry !== undefined && carry.length > 0 ? true : !(await it.next()).done;
      const actual = `sha256:${hash.digest('hex')}`;
      if (more || actual !== digest) throw new OciError('digest-mismatch', `${what}: the source ${more ? `holds more than the ${size} bytes announced` : `hashes to ${actual}`}, not ${digest}`);
    } catch (e) {
      await cancel();
      throw e;
    }
    location.searchParams.set('digest', digest);
    const done = await this.send(repo, 'push', 'PUT', location, { ok: [201, 400], what, headers: { 'content-length': '0' } });
    if (done.statusCode === 400) throw new OciError('digest-mismatch', `${what}: the registry refused the digest (${await errorText(done)})`);
    await drain(done);
    const announced = done.headers['docker-content-digest'];
    if (typeof announced === 'string' && announced !== digest) throw new OciError('digest-mismatch', `${what}: the registry stored it as ${announced}`);
  }

  /** Pushes manifest `bytes` under `reference` (a tag, or its digest); checks the digest the registry announces. */
  async putManifest(repo: Repo, reference: string, bytes: Buffer, mediaType: string): Promise<string> {
    const digest = sha256Digest(bytes);
    const what = `manifest ${repo.registry}/${repo.repository}${reference.startsWith('sha256:') ? '@' : ':'}${reference}`;
    if (reference.startsWith('sha256:') && reference !== digest) throw new OciError('digest-mismatch', `${what}: the bytes hash to ${digest}`);
    const res = await this.send(repo, 'push', 'PUT', `/v2/${repo.repository}/manifests/${reference}`, { ok: [201], what, headers: { 'content-type': mediaType, 'content-length': String(bytes.length) }, body: bytes });
    await drain(res);
    const announced = res.headers['docker-content-digest'];
    if (typeof announced === 'string' && announced !== digest) throw new OciError('digest-mismatch', `${what}: the registry stored it as ${announced}, not ${digest}`);
    return digest;
  }

  /**
   * GETs a plain HTTP(S) URL (a chart repository's index or archive), from
   * byte `offset` on, following redirects and retrying transient failures;
   * answers a 401 with Basic credentials for the URL's host when the auth
   * file has them.
   */
  async openUrl(url: URL, offset = 0, what = url.href): Promise<IncomingMessage> {
    let target = url;
    let basic: string | undefined;
    for (let attempt = 0, redirects = 0; ; ) {
      const headers: OutgoingHttpHeaders = { 'user-agent': 'sovra', ...(offset > 0 ? { range: `bytes=${offset}-` } : {}), ...(basic ? { authorization: basic } : {}) };
      let res: IncomingMessage;
      try {
        this.requests.count++;
        res = await this.transport.request('GET', target, headers);
      } catch (e) {
        if (isTransient(e) && attempt < this.retries) {
          await this.backoff(attempt++, what, (e as Error).message);
          continue;
        }
        throw new OciError('network', `${what}: ${(e as Error).message}`, { cause: e });
      }
      const status = res.statusCode ?? 0;
      if (status === 200 || status === 206) return res;
      await drain(res);
      if ([301, 302, 303, 307, 308].includes(status) && res.headers.location) {
        if (++redirects > 5) throw new OciError('http', `${what}: too many redirects`);
        const next = new URL(res.headers.location, target);
        if (next.host !== target.host) basic = undefined;
        target = next;
        continue;
      }
      if (status === 401 && !basic) {
        const creds = this.credentials.get(target.host);
        if (creds) {
          basic = basicHeader(creds);
          continue;
        }
        throw new OciError('auth', `${what}: ${target.host} needs credentials: ${this.credentials.howTo(target.host)}`);
      }
      if (RETRY_STATUS.has(status) && attempt < this.retries) {
        await this.backoff(attempt++, what, `status ${status}`, res.headers['retry-after'] as string | undefined);
        continue;
      }
      if (status === 404) throw new OciError('not-found', `${what}: not found (404)`);
      if (status === 401 || status === 403) throw new OciError('auth', `${what}: ${target.host} refused access (${status})`);
      throw new OciError('http', `${what}: the server answered ${status}`);
    }
  }

  /** Tags of `repo` (one page of up to `n`). */
  async listTags(repo: Repo, n = 1000): Promise<string[]> {
    const res = await this.send(repo, 'pull', 'GET', `/v2/${repo.repository}/tags/list?n=${n}`, { ok: [200], what: `tags of ${repo.registry}/${repo.repository}` });
    const doc = JSON.parse((await readBody(res, 4 << 20)).toString('utf8')) as { tags?: string[] | null };
    return doc.tags ?? [];
  }
}
