/**
 * A content-addressed cache of blobs (layers, configs, manifests, chart
 * archives, model files): `<dir>/blobs/sha256/<hex>`, written only after
 * the bytes were hashed to their name. A download goes to
 * `<dir>/partial/sha256/<hex>` first; an interrupted one (connection cut,
 * process killed) resumes from the bytes already there with a Range
 * request, and the whole file is hashed before it is renamed into place.
 */
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { IncomingMessage } from 'node:http';
import { OciError } from './errors.js';
import { isTransient } from './client.js';
import { SHA256_DIGEST } from './reference.js';

/** Default cache folder: `$XDG_CACHE_HOME/sovra`, else `~/.cache/sovra`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME && env.XDG_CACHE_HOME !== '' ? env.XDG_CACHE_HOME : join(homedir(), '.cache'), 'sovra');
}

/** Counts and hashes what passes, and fails once more than `limit` bytes pass. */
export class HashingCounter extends Transform {
  bytes = 0;
  constructor(
    readonly hash: Hash,
    private readonly limit: number,
    private readonly what: string,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) {
      cb(new OciError('digest-mismatch', `${this.what}: more than the ${this.limit} bytes its descriptor declares`));
      return;
    }
    this.hash.update(chunk);
    cb(null, chunk);
  }
}

/** Hashes a whole file into `hash`; resolves to its size. */
async function hashFileInto(path: string, hash: Hash): Promise<number> {
  let n = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    n += (chunk as Buffer).length;
  }
  return n;
}

/**
 * Writes a response body to `file` (appending or not), hashing it; resolves
 * to the bytes received. When the connection breaks, the file is closed
 * (not destroyed) so everything received reaches the disk, and a retry
 * resumes exactly after it.
 */
async function appendResponse(res: IncomingMessage, file: string, append: boolean, hash: Hash | undefined, limit: number, what: string): Promise<number> {
  const out = createWriteStream(file, { flags: append ? 'a' : 'w', highWaterMark: 4 << 20 });
  const opened = new Promise<void>((resolve, reject) => {
    out.once('open', () => resolve());
    out.once('error', reject);
  });
  let n = 0;
  let failure: unknown;
  try {
    await opened;
    // Each chunk goes to the file as it is emitted, the response paused while the file is behind: read
    // through an async iterator, chunks that had arrived but were not pulled yet (a busy event loop) were
    // dropped when the connection broke, and the retry started over from what had reached the file.
    await new Promise<void>((resolve, reject) => {
      const onData = (c: Buffer): void => {
        n += c.length;
        if (n > limit) {
          res.off('data', onData);
          res.destroy();
          reject(new OciError('digest-mismatch', `${what}: more than the ${limit} bytes its descriptor declares`));
          return;
        }
        hash?.update(c);
        if (!out.write(c)) {
          res.pause();
          out.once('drain', () => res.resume());
        }
      };
      res.on('data', onData);
      res.once('end', resolve);
      res.once('error', reject);
      res.once('close', () => {
        if (!res.complete) reject(Object.assign(new Error(`${what}: the connection closed before the body ended (aborted)`), { code: 'ECONNRESET' }));
      });
      out.once('error', reject);
    });
  } catch (e) {
    failure = e;
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  if (failure) throw failure;
  return n;
}

/** Opens the rest of a blob from `offset` on. */
export type BlobOpener = (offset: number) => Promise<IncomingMessage>;

/** What a fetch did, for progress and tests. */
export interface FetchResult {
  /** Bytes that came over the network in this call. */
  readonly downloaded: number;
  /** Bytes that were already in a partial file and were kept. */
  readonly resumedFrom: number;
  /** Whether the blob was in the cache already. */
  readonly cached: boolean;
}

/**
 * A blob downloaded whole but not hashed yet (BlobCache.fetchUnhashed):
 * its bytes are in `file`, a partial download that no reader of the cache
 * takes for the blob, until `commit` is given their SHA-256.
 */
export interface UnhashedBlob {
  readonly file: string;
  /** Names the file as the blob when `sha256` (hex, of its bytes) is the digest's; else removes it and throws digest-mismatch. */
  commit(sha256: string): Promise<void>;
  /** Leaves the file as a partial download (a later fetch hashes it before using it). */
  abandon(): void;
}

/** The blob cache. */
export class BlobCache {
  /** Blobs hashed against their digest by this instance (fetched, imported or stored): no need to hash them again. */
  readonly verified = new Set<string>();
  private readonly inflight = new Map<string, Promise<FetchResult>>();

  constructor(
    readonly dir: string,
    private readonly retries = 4,
  ) {}

  /** Final path of blob `digest`. */
  path(digest: string): string {
    if (!SHA256_DIGEST.test(digest)) throw new OciError('protocol', `bad digest ${digest}`);
    return join(this.dir, 'blobs', 'sha256', digest.slice(7));
  }

  private partialPath(digest: string): string {
    return join(this.dir, 'partial', 'sha256', digest.slice(7));
  }

  /** Whether blob `digest` is cached. */
  has(digest: string): boolean {
    return existsSync(this.path(digest));
  }

  /** Stores small bytes already verified by the caller (manifests). */
  async putVerified(digest: string, bytes: Buffer): Promise<void> {
    const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (actual !== digest) throw new OciError('digest-mismatch', `refusing to cache bytes of ${actual} as ${digest}`);
    const final = this.path(digest);
    if (existsSync(final)) return;
    const tmp = `${this.partialPath(digest)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    mkdirSync(dirname(tmp), { recursive: true });
    mkdirSync(dirname(final), { recursive: true });
    await writeFile(tmp, bytes);
    renameSync(tmp, final);
    this.verified.add(digest);
  }

  /**
   * Makes blob `digest` present, downloading through `open` what is
   * missing: resumes a partial file with a Range request, retries a cut
   * connection from where it stopped, and hashes every byte. `size` is the
   * descriptor's; when unknown (a chart archive), the server's length is
   * used, else the end of the response. A blob whose bytes do not match its
   * digest is removed and reported as `digest-mismatch`.
   */
  async fetch(digest: string, size: number | undefined, open: BlobOpener, what: string, onRetry?: (attempt: number, reason: string) => void): Promise<FetchResult> {
    // Two images sharing a layer ask for it at once: one download, the other waits for it.
    const running = this.inflight.get(digest);
    if (running) {
      await running;
      return { downloaded: 0, resumedFrom: 0, cached: true };
    }
    const p = this.download(digest, size, open, what, onRetry).then((r) => r.result);
    this.inflight.set(digest, p);
    try {
      return await p;
    } finally {
      this.inflight.delete(digest);
    }
  }

  /**
   * Like fetch, for a caller that reads the whole blob anyway and hashes
   * it there (the bundle's archive writer, on another thread): a blob not
   * in the cache is downloaded (resumed, retried, its length checked) but
   * not hashed, and comes back as an UnhashedBlob that stays out of the
   * cache until its caller commits the SHA-256 it computed. Meanwhile a
   * fetch of the same digest waits. `size` must be known.
   */
  async fetchUnhashed(digest: string, size: number, open: BlobOpener, what: string, onRetry?: (attempt: number, reason: string) => void): Promise<FetchResult & { readonly unhashed?: UnhashedBlob }> {
    const running = this.inflight.get(digest);
    if (running) {
      await running;
      return { downloaded: 0, resumedFrom: 0, cached: true };
    }
    let settle!: () => void;
    const settled = new Promise<void>((resolve) => (settle = resolve));
    this.inflight.set(digest, settled.then(() => ({ downloaded: 0, resumedFrom: 0, cached: true })));
    const done = (): void => {
      this.inflight.delete(digest);
      settle();
    };
    let r: Awaited<ReturnType<BlobCache['download']>>;
    try {
      r = await this.download(digest, size, open, what, onRetry, true);
    } catch (e) {
      done();
      throw e;
    }
    if (!r.partial) {
      done();
      return r.result;
    }
    const partial = r.partial;
    const final = this.path(digest);
    let ended = false;
    const unhashed: UnhashedBlob = {
      file: partial,
      commit: async (sha256: string) => {
        if (ended) throw new Error(`${what}: committed twice`);
        ended = true;
        try {
          if (`sha256:${sha256}` !== digest) {
            rmSync(partial, { force: true });
            throw new OciError('digest-mismatch', `${what}: the registry served ${size} bytes with digest sha256:${sha256}, not ${digest}; the blob was discarded`);
          }
          await rename(partial, final);
          this.verified.add(digest);
        } finally {
          done();
        }
      },
      abandon: () => {
        if (ended) return;
        ended = true;
        done();
      },
    };
    return { ...r.result, unhashed };
  }

  /** Downloads what is missing; `unhashed` (with `size` known): leaves the whole file as a partial download, not hashed, for fetchUnhashed. */
  private async download(digest: string, size: number | undefined, open: BlobOpener, what: string, onRetry?: (attempt: number, reason: string) => void, unhashed = false): Promise<{ result: FetchResult; partial?: string }> {
    const final = this.path(digest);
    if (existsSync(final)) return { result: { downloaded: 0, resumedFrom: 0, cached: true } };
    const partial = this.partialPath(digest);
    mkdirSync(dirname(partial), { recursive: true });
    mkdirSync(dirname(final), { recursive: true });
    let downloaded = 0;
    let resumedFrom = -1;
    let known = size;
    for (let attempt = 0; ; attempt++) {
      // The partial file is re-hashed from disk at each attempt: only bytes that reached the disk count.
      // (Unhashed: its caller hashes the whole file later.)
      let hash = unhashed ? undefined : createHash('sha256');
      let offset = existsSync(partial) ? statSync(partial).size : 0;
      if (known !== undefined && offset > known) {
        rmSync(partial, { force: true });
        offset = 0;
      }
      if (offset > 0 && hash) await hashFileInto(partial, hash);
      if (resumedFrom < 0) resumedFrom = offset;
      try {
        if (known !== undefined && offset === known && known > 0) {
          if (!hash) return { result: { downloaded, resumedFrom, cached: false }, partial };
          await this.finish(digest, known, hash, offset, partial, final, what);
          return { result: { downloaded, resumedFrom, cached: false } };
        }
        const res = await open(offset);
        let start = 0;
        if (res.statusCode === 206) {
          const m = /^bytes (\d+)-\d+\/(\d+|\*)/.exec(String(res.headers['content-range'] ?? ''));
          start = m ? Number(m[1]) : -1;
          if (start !== offset) {
            res.destroy();
            throw new OciError('protocol', `${what}: asked for bytes from ${offset}, the server sent a range starting at ${start}`);
          }
          if (known === undefined && m && m[2] !== '*') known = Number(m[2]);
        } else {
          if (offset > 0) {
            // The server ignored the Range request: start over.
            hash = hash && createHash('sha256');
            resumedFrom = 0;
          }
          const length = Number(res.headers['content-length']);
          if (known === undefined && Number.isSafeInteger(length) && res.headers['content-length'] !== undefined) known = length;
        }
        const received = await appendResponse(res, partial, start > 0, hash, known === undefined ? Number.MAX_SAFE_INTEGER : known - start, what);
        downloaded += received;
        if (!hash) {
          // Short: the connection ended early; the next attempt resumes it.
          if (start + received < known!) throw Object.assign(new Error(`${what}: the connection ended after ${start + received} of ${known} bytes`), { code: 'ECONNRESET' });
          return { result: { downloaded, resumedFrom, cached: false }, partial };
        }
        // A response that ended cleanly without a length announced is the whole blob.
        await this.finish(digest, known ?? start + received, hash, start + received, partial, final, what);
        return { result: { downloaded, resumedFrom, cached: false } };
      } catch (e) {
        if ((e as OciError).code === 'digest-mismatch') {
          rmSync(partial, { force: true });
          throw e;
        }
        if (isTransient(e) && attempt < this.retries) {
          onRetry?.(attempt + 1, (e as Error).message);
          await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
          continue;
        }
        if (isTransient(e)) throw new OciError('network', `${what}: ${(e as Error).message} (after ${attempt + 1} attempts; the ${existsSync(partial) ? statSync(partial).size : 0} bytes received stay in the cache and the next run resumes from there)`, { cause: e });
        throw e;
      }
    }
  }

  /** Copies a local file into the cache as blob `digest`, hashing it on the way (a file that is not what its digest says is refused). */
  async importFile(digest: string, file: string): Promise<void> {
    const final = this.path(digest);
    if (existsSync(final)) return;
    const partial = `${this.partialPath(digest)}.${process.pid}.import`;
    mkdirSync(dirname(partial), { recursive: true });
    mkdirSync(dirname(final), { recursive: true });
    const hash = createHash('sha256');
    const counter = new HashingCounter(hash, Number.MAX_SAFE_INTEGER, file);
    await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), counter, createWriteStream(partial));
    await this.finish(digest, counter.bytes, hash, counter.bytes, partial, final, file);
  }

  private async finish(digest: string, size: number, hash: Hash, bytes: number, partial: string, final: string, what: string): Promise<void> {
    // Short: the connection ended early; the partial file stays and the next attempt resumes it.
    if (bytes < size) throw Object.assign(new Error(`${what}: the connection ended after ${bytes} of ${size} bytes`), { code: 'ECONNRESET' });
    const actual = `sha256:${hash.digest('hex')}`;
    if (bytes !== size || actual !== digest) {
      rmSync(partial, { force: true });
      throw new OciError('digest-mismatch', `${what}: the registry served ${bytes} bytes with digest ${actual}, not ${size} bytes with ${digest}; the blob was discarded`);
    }
    // Not renameSync: on a busy disk a rename can wait on the file system's journal, and the downloads beside it must not.
    await rename(partial, final);
    this.verified.add(digest);
  }
}
