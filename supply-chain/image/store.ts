/**
 * Where the parts of an image come from: a content-addressed cache
 * (`<cache>/blobs/<algorithm>/<hex>`), npm's own cache (read only, for the
 * tarballs `npm ci` already fetched), then the network (a Debian mirror, an
 * npm registry). Every part is checked against its pinned digest, whether it
 * comes from a cache or is downloaded; a download is hashed while it
 * streams and enters the cache only when it matches. With a warm cache no
 * network is touched.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { SovraError } from '../../core/errors.js';

/** Digest algorithms of pins: Debian's SHA-256, npm's SHA-512 integrity. */
export type PartAlgorithm = 'sha256' | 'sha512';

/** One part to obtain: what it is (for messages), its digest, and where to download it. */
export interface PartRef {
  /** Human name, e.g. `Debian package libc6 2.36-9+deb12u14 (amd64)`. */
  readonly name: string;
  readonly algorithm: PartAlgorithm;
  /** Lower-case hex digest. */
  readonly hex: string;
  /** Size in bytes when the pin states it. */
  readonly size?: number;
  /** Download URL (tried after the caches). */
  readonly url: string;
}

/** Where parts come from. */
export interface PartStoreOptions {
  /** The content-addressed cache (read and filled). */
  readonly cacheDir: string;
  /** npm's cache folder (holding `_cacache`), read only; `undefined` to not use it. */
  readonly npmCacheDir?: string;
  /** Download attempts per URL on network errors and 5xx answers. @default 3 */
  readonly attempts?: number;
}

/** Counts of where parts came from. */
export interface PartStats {
  cached: number;
  npmCache: number;
  downloaded: number;
  downloadedBytes: number;
}

/** `sha512-<base64>` → lower-case hex; anything else is a `bad-input` error naming `what`. */
export function integrityHex(integrity: string, what: string): string {
  const m = /^sha512-([A-Za-z0-9+/]+={0,2})$/.exec(integrity.split(/\s+/).find((p) => p.startsWith('sha512-')) ?? '');
  if (!m) throw new SovraError('bad-input', `${what}: integrity ${JSON.stringify(integrity)} has no sha512-<base64> entry; regenerate the lockfile with npm.`);
  return Buffer.from(m[1]!, 'base64').toString('hex');
}

/** The cache folder by default: `$XDG_CACHE_HOME/sovra`, else `~/.cache/sovra`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME && env.XDG_CACHE_HOME !== '' ? env.XDG_CACHE_HOME : join(homedir(), '.cache'), 'sovra');
}

/** npm's cache folder: `npm_config_cache` (npm sets it for scripts), else `~/.npm`. */
export function defaultNpmCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.npm_config_cache && env.npm_config_cache !== '' ? env.npm_config_cache : join(homedir(), '.npm');
}

/** Path of a part in a content-addressed cache. */
export function cachePath(cacheDir: string, algorithm: PartAlgorithm, hex: string): string {
  return join(cacheDir, 'blobs', algorithm, hex);
}

/** Digest of a file, streamed. */
export async function fileDigest(path: string, algorithm: PartAlgorithm): Promise<string> {
  const h = createHash(algorithm);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

function mismatch(ref: PartRef, where: string, found: string): SovraError {
  return new SovraError(
    'failed-verification',
    `${ref.name}: ${where} has ${ref.algorithm}:${found}, but the pin is ${ref.algorithm}:${ref.hex}. It was not used${where.startsWith('http') ? ' and not cached' : ''}; check the mirror or registry, or the pin.`,
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Obtains parts by digest: caches first, then the network; every byte is checked. */
export class PartStore {
  readonly stats: PartStats = { cached: 0, npmCache: 0, downloaded: 0, downloadedBytes: 0 };
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(private readonly options: PartStoreOptions) {}

  /** Local path of `ref`'s bytes, checked against its digest. */
  get(ref: PartRef): Promise<string> {
    const key = `${ref.algorithm}:${ref.hex}`;
    let p = this.inFlight.get(key);
    if (!p) {
      p = this.obtain(ref);
      this.inFlight.set(key, p);
    }
    return p;
  }

  private async obtain(ref: PartRef): Promise<string> {
    const target = cachePath(this.options.cacheDir, ref.algorithm, ref.hex);
    if (existsSync(target)) {
      const found = await fileDigest(target, ref.algorithm);
      if (found === ref.hex) {
        this.stats.cached++;
        return target;
      }
      // A damaged cache entry is set aside and fetched again, never used.
      rmSync(target, { force: true });
    }
    if (ref.algorithm === 'sha512' && this.options.npmCacheDir) {
      const npm = join(this.options.npmCacheDir, '_cacache', 'content-v2', 'sha512', ref.hex.slice(0, 2), ref.hex.slice(2, 4), ref.hex.slice(4));
      if (existsSync(npm) && (await fileDigest(npm, 'sha512')) === ref.hex) {
        this.stats.npmCache++;
        return npm;
      }
    }
    await this.download(ref, target);
    return target;
  }

  private async download(ref: PartRef, target: string): Promise<void> {
    const dir = join(this.options.cacheDir, 'blobs', ref.algorithm);
    mkdirSync(dir, { recursive: true });
    const attempts = this.options.attempts ?? 3;
    let last = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const tmp = join(dir, `.tmp-${randomBytes(6).toString('hex')}`);
      try {
        const res = await fetch(ref.url, { signal: AbortSignal.timeout(300_000) });
        if (!res.ok || !res.body) {
          last = `HTTP ${res.status}`;
          await res.body?.cancel();
          if (res.status >= 500 || res.status === 429) {
            await sleep(250 * 2 ** attempt);
            continue;
          }
          break;
        }
        const h = createHash(ref.algorithm);
        let size = 0;
        const body = Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>);
        body.on('data', (c: Buffer) => {
          h.update(c);
          size += c.length;
        });
        await pipeline(body, createWriteStream(tmp));
        const found = h.digest('hex');
        if (found !== ref.hex || (ref.size !== undefined && size !== ref.size)) {
          rmSync(tmp, { force: true });
          if (found === ref.hex) throw new SovraError('failed-verification', `${ref.name}: ${ref.url} gave ${size} bytes, but the pin says ${ref.size}. It was not cached.`);
          throw mismatch(ref, ref.url, found);
        }
        renameSync(tmp, target);
        this.stats.downloaded++;
        this.stats.downloadedBytes += size;
        return;
      } catch (e) {
        rmSync(tmp, { force: true });
        if (e instanceof SovraError) throw e;
        const cause = (e as Error & { cause?: { code?: string; message?: string } }).cause;
        last = cause?.code ?? cause?.message ?? (e as Error).message;
        if (attempt < attempts) await sleep(250 * 2 ** attempt);
      }
    }
    throw new SovraError(
      'io',
      `${ref.name}: cannot download ${ref.url} (${last}). It is not in the cache ${this.options.cacheDir} either. Point --debian-mirror / --npm-registry at a reachable mirror, or fill the cache where there is network (npm run fetch:image-parts in a checkout, or sovra image build --cache <dir>).`,
    );
  }
}
