/**
 * Pulls an image by digest into the blob cache: the manifest or index
 * kept whole (its exact bytes, so the pinned digest stays valid), the
 * child manifests of the platforms asked for, and their configs and
 * layers, fetched with bounded concurrency and verified while they stream.
 * What the cache holds is not fetched again. `resolveImage` does the first
 * half alone (manifests only), for a caller that schedules the layers
 * itself (the bundle fetches them in the order it archives them).
 */
import { readFile } from 'node:fs/promises';
import type { BlobCache } from './cache.js';
import type { RegistryClient, Repo } from './client.js';
import { OciError } from './errors.js';
import type { Limiter } from './limit.js';
import { parseManifest, platformString, type Descriptor, type Platform } from './manifest.js';

/** Which platforms of an index to carry: `all`, or Linux on these architectures (`amd64`, `arm64`, …). */
export type PlatformFilter = 'all' | { readonly architectures: readonly string[] };

/** Whether an index entry's platform is carried. Entries without a platform (rare) are carried; attestations (`unknown/unknown`) only with `all`. */
export function platformSelected(platform: Platform | undefined, filter: PlatformFilter): boolean {
  if (filter === 'all') return true;
  if (!platform) return true;
  return platform.os === 'linux' && filter.architectures.includes(platform.architecture);
}

/** An image whose manifests are in the cache (its configs and layers not necessarily). */
export interface ResolvedImage {
  readonly repo: Repo;
  /** Digest of the top manifest or index (the pinned one). */
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
  /** Every manifest and index carried (the top one first), with its children. */
  readonly manifests: ReadonlyArray<{ readonly digest: string; readonly mediaType: string; readonly size: number; readonly children: readonly string[] }>;
  /** Every config and layer carried. */
  readonly blobs: readonly Descriptor[];
  /** Platforms carried, `os/arch[/variant]` (empty for a single-platform image). */
  readonly platforms: readonly string[];
  /** Index entries left out by the platform filter: digest and platform. */
  readonly skipped: ReadonlyArray<{ readonly digest: string; readonly platform: string }>;
  /** Bytes downloaded for this image in this call: its manifests' from resolveImage, everything from pullImage (0 when all was cached). */
  readonly downloaded: number;
}

/** An image as pulled into the cache, blobs included. */
export type PulledImage = ResolvedImage;

/** Options of a pull. */
export interface PullOptions {
  readonly filter: PlatformFilter;
  /** Bounds concurrent blob downloads (shared across images). */
  readonly limit: Limiter;
  readonly onRetry?: (what: string, attempt: number, reason: string) => void;
}

/** Reads manifest `digest` from the cache, or fetches, verifies and caches it. */
async function manifestBytes(client: RegistryClient, cache: BlobCache, repo: Repo, digest: string): Promise<{ bytes: Buffer; fetched: number }> {
  if (cache.has(digest)) return { bytes: await readFile(cache.path(digest)), fetched: 0 };
  const m = await client.getManifest(repo, digest);
  await cache.putVerified(digest, m.bytes);
  return { bytes: m.bytes, fetched: m.bytes.length };
}

/** Fetches `repo@digest`'s manifests (and the chosen platforms' children) into `cache`; lists its configs and layers. */
export async function resolveImage(client: RegistryClient, cache: BlobCache, repo: Repo, digest: string, filter: PlatformFilter): Promise<ResolvedImage> {
  const name = `${repo.registry}/${repo.repository}@${digest}`;
  const manifests: Array<{ digest: string; mediaType: string; size: number; children: string[] }> = [];
  const blobs = new Map<string, Descriptor>();
  const platforms = new Set<string>();
  const skipped: Array<{ digest: string; platform: string }> = [];
  let downloaded = 0;
  const seen = new Set<string>();
  const visited = new Map<string, { digest: string; mediaType: string; size: number; children: string[] }>();

  const visit = async (d: string, depth: number): Promise<{ mediaType: string; size: number }> => {
    if (depth > 4) throw new OciError('protocol', `${name}: indexes nested deeper than 4 levels`);
    const { bytes, fetched } = await manifestBytes(client, cache, repo, d);
    downloaded += fetched;
    const parsed = parseManifest(bytes, undefined, `manifest ${repo.registry}/${repo.repository}@${d}`);
    const entry = { digest: d, mediaType: parsed.mediaType, size: bytes.length, children: [] as string[] };
    if (seen.has(d)) return entry;
    seen.add(d);
    visited.set(d, entry);
    if (parsed.kind === 'index') {
      const chosen = parsed.manifests.filter((m) => platformSelected(m.platform, filter));
      for (const m of parsed.manifests) if (!chosen.includes(m)) skipped.push({ digest: m.digest, platform: m.platform ? platformString(m.platform) : 'unknown' });
      if (chosen.length === 0) {
        const offered = parsed.manifests.map((m) => (m.platform ? platformString(m.platform) : 'none')).join(', ');
        const want = filter === 'all' ? 'any' : filter.architectures.map((a) => `linux/${a}`).join(', ');
        throw new OciError('not-found', `${name}: no manifest of the index is for ${want} (it offers ${offered}); set the profile's architectures, or bundle with --all-platforms`);
      }
      for (const m of chosen) {
        entry.children.push(m.digest);
        if (m.platform && m.platform.architecture !== 'unknown') platforms.add(platformString(m.platform));
      }
      await Promise.all(chosen.map((m) => visit(m.digest, depth + 1)));
    } else {
      for (const b of [parsed.config, ...parsed.layers]) {
        entry.children.push(b.digest);
        if (!blobs.has(b.digest)) blobs.set(b.digest, b);
      }
    }
    return entry;
  };

  const top = await visit(digest, 0);
  // Children are visited concurrently; the list is in a fixed order (depth first, in index order), whatever finished first.
  const order = (d: string): void => {
    const e = visited.get(d);
    if (!e || manifests.includes(e)) return;
    manifests.push(e);
    for (const c of e.children) order(c);
  };
  order(digest);
  const byDigest = <T extends { digest: string }>(a: T, b: T): number => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0);
  return { repo, digest, mediaType: top.mediaType, size: top.size, manifests, blobs: [...blobs.values()].sort(byDigest), platforms: [...platforms].sort(), skipped: skipped.sort(byDigest), downloaded };
}

/** Fetches blob `b` of `repo` into `cache` (nothing when it is there); resolves to the bytes downloaded. */
export async function fetchBlob(client: RegistryClient, cache: BlobCache, repo: Repo, b: Descriptor, onRetry?: PullOptions['onRetry']): Promise<number> {
  const what = `blob ${repo.registry}/${repo.repository}@${b.digest}`;
  const r = await cache.fetch(b.digest, b.size, (offset) => client.openBlob(repo, b.digest, offset), what, (attempt, reason) => onRetry?.(what, attempt, reason));
  return r.downloaded;
}

/** Pulls `repo@digest` into `cache`. */
export async function pullImage(client: RegistryClient, cache: BlobCache, repo: Repo, digest: string, options: PullOptions): Promise<PulledImage> {
  const image = await resolveImage(client, cache, repo, digest, options.filter);
  let downloaded = image.downloaded;
  // Settled, not Promise.all: a failure waits for the other downloads, so none is left writing after the pull returns.
  const results = await Promise.allSettled(image.blobs.map((b) => options.limit(async () => (downloaded += await fetchBlob(client, cache, repo, b, options.onRetry)))));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return { ...image, downloaded };
}
