/**
 * `sovra bundle load`: pushes every image of a bundle into the site's
 * registry, reading the archive once: each layer's upload runs in the
 * background, fed through a bounded buffer (32 MiB across uploads), so the
 * reader moves on to the next layer while the registry still takes the
 * last one and the registry takes uploads in parallel. The manifests come first
 * in the archive (format.ts), so by the time the layers arrive the loader
 * knows which repositories each one belongs to: a layer is uploaded once
 * (in chunks), skipped when the registry has it, and mounted into the
 * other repositories that need it. Every blob is hashed on the way and the
 * upload is committed only if it matches its digest. Manifests are pushed
 * children first, tagged, then fetched back by digest and compared.
 */
import { createHash } from 'node:crypto';
import { SovraError } from '../../core/errors.js';
import { release } from '../../core/pool.js';
import { ByteBudget, Channel } from '../../core/streams.js';
import { BUNDLE_VERIFY_EXIT } from '../../contracts/bundle-codes.js';
import { siteRepository, sitePrefix } from '../../constructs/kit/image.js';
import type { RegistryClient, Repo } from '../oci/client.js';
import { isOciError, OciError } from '../oci/errors.js';
import { MAX_MANIFEST_BYTES, parseManifest } from '../oci/manifest.js';
import { blobDigest, MANIFEST_FILE, type BundleImage, type BundleManifest } from './format.js';
import { archiveEntries, archiveError } from './archive.js';
import { pushChartArtifact } from './chart-artifact.js';
import { TarFormatError, type TarEntry } from './tar.js';

/** Options of a load. */
export interface LoadOptions {
  readonly archive: string;
  /** The site registry, `host[:port]`. */
  readonly registry: string;
  readonly client: RegistryClient;
  /** CA file the site's nodes should trust for the registry (written into the mirror configuration). */
  readonly caFile?: string;
  /** Whether TLS verification is skipped (written into the mirror configuration). */
  readonly insecure?: boolean;
  /** Uploads running at once (the archive is read once; each upload is fed from it through a buffer). @default 3 */
  readonly uploads?: number;
  /** Bytes of the archive held for uploads that are behind the reader. @default 32 MiB */
  readonly bufferBytes?: number;
  readonly onProgress?: (line: string) => void;
}

const DEFAULT_UPLOADS = 3;
const DEFAULT_BUFFER_BYTES = 32 << 20;

/** What a load did. */
export interface LoadResult {
  readonly images: ReadonlyArray<{ readonly name: string; readonly pushed: string; readonly tag: string }>;
  readonly blobs: { readonly uploaded: number; readonly skipped: number; readonly mounted: number };
  readonly bytesUploaded: number;
  readonly manifests: { readonly pushed: number; readonly skipped: number; readonly verified: number };
  /** Chart archives pushed as OCI artifacts (`oci://<registry>/charts/<chart>:<version>`). */
  readonly charts: ReadonlyArray<{ readonly release: string; readonly reference: string }>;
  /** K3s/RKE2 `registries.yaml` that mirrors every source registry of the bundle to the site registry. */
  readonly mirrorConfig: string;
}


async function readSmall(entry: TarEntry, limit: number): Promise<Buffer> {
  if (entry.size > limit) throw archiveError(`${entry.path} is ${entry.size} bytes, more than the ${limit} expected`);
  const chunks: Buffer[] = [];
  for await (const c of entry.body) chunks.push(c);
  return Buffer.concat(chunks);
}

/**
 * The K3s/RKE2 registries.yaml for the site registry: every registry of the
 * bundle mirrored to it, each pull rewritten to `<registry>/<repository>`
 * there (where the load put it; the synth's host/registries.yaml says the
 * same), with the CA or the skipped verification the load used.
 */
export function mirrorConfig(registries: readonly string[], site: string, scheme: 'http' | 'https', caFile?: string, insecure?: boolean): string {
  const lines = ['# K3s/RKE2 registries.yaml: every registry of the bundle is served by the site registry', 'mirrors:'];
  for (const r of [...registries].sort()) {
    lines.push(`  ${JSON.stringify(r)}:`, '    endpoint:', `      - ${JSON.stringify(`${scheme}://${site}`)}`, '    rewrite:', `      "^(.*)$": ${JSON.stringify(`${sitePrefix(r)}/$1`)}`);
  }
  if (scheme === 'https' && (caFile || insecure)) {
    lines.push('configs:', `  ${JSON.stringify(site)}:`, '    tls:');
    if (caFile) lines.push(`      ca_file: ${JSON.stringify(caFile)}`);
    if (insecure) lines.push('      insecure_skip_verify: true');
  }
  return `${lines.join('\n')}\n`;
}

/** Loads the bundle at `options.archive` into `options.registry`. */
export async function loadBundle(options: LoadOptions): Promise<LoadResult> {
  try {
    return await load(options);
  } catch (e) {
    // A broken archive surfaces wherever its bytes are read (an upload reads a blob's body).
    if (e instanceof TarFormatError) throw archiveError(`${options.archive} is not a readable bundle: ${e.message}`);
    throw e;
  }
}

async function load(options: LoadOptions): Promise<LoadResult> {
  const { client, registry } = options;
  const progress = options.onProgress ?? (() => undefined);
  let manifest: BundleManifest | undefined;
  const manifestBytes = new Map<string, Buffer>();
  let manifestDigests = new Set<string>();
  /** For each config and layer: the repositories that need it. */
  let blobRepos: Map<string, string[]> | undefined;
  const pending: Array<{ digest: string; repos: string[] }> = [];
  const stats = { uploaded: 0, skipped: 0, mounted: 0, bytes: 0 };
  const charts: Array<{ release: string; reference: string }> = [];
  const seen = new Set<string>();

  const planBlobs = (): Map<string, string[]> => {
    const map = new Map<string, string[]>();
    for (const image of manifest!.images) {
      for (const d of image.manifests) {
        const bytes = manifestBytes.get(d);
        if (!bytes) throw archiveError(`manifest ${d} of ${image.name} is not in the archive before its layers`);
        const parsed = parseManifest(bytes, undefined, `manifest ${d} of ${image.name}`);
        if (parsed.kind !== 'image') continue;
        for (const b of [parsed.config, ...parsed.layers]) {
          const repos = map.get(b.digest) ?? [];
          if (!repos.includes(siteRepository(image))) repos.push(siteRepository(image));
          map.set(b.digest, repos);
        }
      }
    }
    return map;
  };

  /** Mounts (or queues for the second pass) blob `digest`, now in `repos[0]`, into the other repositories that need it. */
  const mountOthers = async (digest: string, repos: readonly string[]): Promise<void> => {
    for (const r of repos.slice(1)) {
      const repo = { registry, repository: r };
      if (await client.hasBlob(repo, digest)) stats.skipped++;
      else if (await client.mountBlob(repo, digest, repos[0]!)) stats.mounted++;
      else pending.push({ digest, repos: [r] });
    }
  };

  // One reader of the archive; each upload runs in the background, fed through a bounded buffer, so the
  // reader goes on to the next layer while the registry still takes the last one: uploads overlap and the
  // archive is decompressed once.
  const budget = new ByteBudget(options.bufferBytes ?? DEFAULT_BUFFER_BYTES);
  const maxUploads = Math.max(1, Math.floor(options.uploads ?? DEFAULT_UPLOADS));
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  const corrupt = (digest: string, detail = ''): SovraError =>
    new SovraError('failed-verification', `blob ${digest} in the archive does not hash to its name: the archive is corrupt${detail}`, { exitCode: BUNDLE_VERIFY_EXIT.blob });

  /** Pushes one blob from the archive to the first repository that needs it (in the background) and mounts it into the others. */
  const pushBlob = async (entry: TarEntry, digest: string, repos: readonly string[]): Promise<void> => {
    const first: Repo = { registry, repository: repos[0]! };
    if (await client.hasBlob(first, digest)) {
      const hash = createHash('sha256');
      for await (const c of entry.body) {
        hash.update(c);
        release(c);
      }
      if (`sha256:${hash.digest('hex')}` !== digest) throw corrupt(digest);
      stats.skipped++;
      await mountOthers(digest, repos);
      return;
    }
    const channel = new Channel(budget);
    const upload = (async () => {
      try {
        await client.uploadBlob(first, digest, entry.size, channel);
      } catch (e) {
        // The client hashes what it sends and commits nothing that does not match: the archive's blob is corrupt.
        throw isOciError(e) && e.code === 'digest-mismatch' ? corrupt(digest, ` (nothing of it was committed to the registry; ${e.message})`) : e;
      }
      stats.uploaded++;
      stats.bytes += entry.size;
      await mountOthers(digest, repos);
    })().catch((e: unknown) => {
      failure ??= { error: e };
      channel.fail(e);
    });
    running.add(upload);
    void upload.finally(() => running.delete(upload));
    try {
      for await (const c of entry.body) await channel.push(c);
      channel.end();
    } catch (e) {
      // A broken archive stops the upload it was feeding; an upload that failed has its own error recorded.
      channel.fail(e);
      if (failure) return;
      throw e;
    }
    while (running.size >= maxUploads) await Promise.race(running);
  };

  try {
    for await (const entry of archiveEntries(options.archive)) {
      if (failure) break;
      const digest = blobDigest(entry.path);
      if (!digest) {
        if (entry.path === MANIFEST_FILE && !manifest) {
          let parsed: BundleManifest;
          try {
            parsed = JSON.parse((await readSmall(entry, 64 << 20)).toString('utf8')) as BundleManifest;
          } catch (e) {
            throw new SovraError('bad-input', `bundle.json is not JSON (${(e as Error).message})`, { exitCode: BUNDLE_VERIFY_EXIT.layout });
          }
          if (parsed.bundleVersion !== 1 || !Array.isArray(parsed.images)) throw new SovraError('bad-input', 'bundle.json is not a version 1 bundle manifest', { exitCode: BUNDLE_VERIFY_EXIT.layout });
          manifest = parsed;
          manifestDigests = new Set(manifest.images.flatMap((i) => i.manifests));
        }
        // Charts go to the site registry as OCI artifacts; models, the synth output and the provenance are
        // not pushed (`sovra bundle verify` checks them).
        const chart = manifest?.charts.find((c) => c.path === entry.path);
        if (chart) {
          const bytes = await readSmall(entry, 256 << 20);
          if (`sha256:${createHash('sha256').update(bytes).digest('hex')}` !== chart.digest) {
            throw new SovraError('failed-verification', `${entry.path} does not hash to ${chart.digest}, the digest bundle.json pins: the archive is corrupt`, { exitCode: BUNDLE_VERIFY_EXIT.blob });
          }
          charts.push({ release: chart.release, reference: await pushChartArtifact(client, registry, chart.chart, chart.version, bytes) });
          progress(`chart ${chart.chart} ${chart.version} (${chart.release}) → ${charts.at(-1)!.reference}`);
        }
        continue;
      }
      if (!manifest) throw archiveError(`${entry.path} comes before bundle.json: the archive was not written by sovra bundle`);
      if (seen.has(digest)) throw archiveError(`${entry.path} is in the archive twice`);
      seen.add(digest);
      if (manifestDigests.has(digest)) {
        const bytes = await readSmall(entry, MAX_MANIFEST_BYTES);
        if (`sha256:${createHash('sha256').update(bytes).digest('hex')}` !== digest) throw new SovraError('failed-verification', `manifest ${digest} in the archive does not hash to its name: the archive is corrupt`, { exitCode: BUNDLE_VERIFY_EXIT.blob });
        manifestBytes.set(digest, bytes);
        continue;
      }
      blobRepos ??= planBlobs();
      const repos = blobRepos.get(digest);
      if (!repos) throw archiveError(`${entry.path} is not referenced by any manifest of the bundle`);
      await pushBlob(entry, digest, repos);
    }
  } finally {
    // No upload is left running when the load returns, whether it failed or not.
    await Promise.allSettled([...running]);
  }
  if (failure) throw failure.error;
  if (!manifest) throw new SovraError('bad-input', `${options.archive} has no bundle.json`, { exitCode: BUNDLE_VERIFY_EXIT.layout });
  blobRepos ??= planBlobs();
  for (const d of blobRepos.keys()) if (!seen.has(d)) throw new SovraError('bad-input', `blob ${d} that a manifest references is not in the archive`, { exitCode: BUNDLE_VERIFY_EXIT.reference });

  // Blobs a registry would not mount: a second pass over the archive uploads them.
  if (pending.length > 0) {
    const wanted = new Map(pending.map((p) => [p.digest, p.repos]));
    for await (const entry of archiveEntries(options.archive)) {
      const digest = blobDigest(entry.path);
      const repos = digest ? wanted.get(digest) : undefined;
      if (!digest || !repos) continue;
      await client.uploadBlob({ registry, repository: repos[0]! }, digest, entry.size, entry.body);
      stats.uploaded++;
      stats.bytes += entry.size;
    }
  }

  // Manifests, children before the indexes that name them; then the tag; then read back by digest.
  const pushed = { pushed: 0, skipped: 0, verified: 0 };
  const images: Array<{ name: string; pushed: string; tag: string }> = [];
  const tags = new Map<string, string>();
  for (const image of manifest.images) {
    const repo = { registry, repository: siteRepository(image) };
    for (const d of [...image.manifests].reverse()) {
      const bytes = manifestBytes.get(d)!;
      const mediaType = parseManifest(bytes, undefined, d).mediaType;
      if (await client.hasManifest(repo, d)) {
        pushed.skipped++;
        continue;
      }
      try {
        await client.putManifest(repo, d, bytes, mediaType);
      } catch (e) {
        throw partialIndex(e, image, d) ?? e;
      }
      pushed.pushed++;
    }
    const tagKey = `${siteRepository(image)}:${image.tag}`;
    const tagged = tags.get(tagKey);
    if (tagged === undefined) {
      const top = manifestBytes.get(image.digest)!;
      await client.putManifest(repo, image.tag, top, parseManifest(top, undefined, image.digest).mediaType);
      tags.set(tagKey, image.digest);
    } else if (tagged !== image.digest) {
      progress(`tag ${registry}/${tagKey} already names ${tagged}; ${image.name} is pushed by digest only`);
    }
    for (const d of image.manifests) {
      const back = await client.getManifest(repo, d);
      if (!back.bytes.equals(manifestBytes.get(d)!)) throw new OciError('digest-mismatch', `${registry}/${siteRepository(image)}@${d}: the registry serves other bytes than were pushed`);
      pushed.verified++;
    }
    images.push({ name: image.name, pushed: `${registry}/${siteRepository(image)}@${image.digest}`, tag: `${registry}/${tagKey}` });
    progress(`image ${image.name} → ${registry}/${siteRepository(image)}@${image.digest} (${image.manifests.length} manifests verified)`);
  }
  const scheme = await client.scheme(registry);
  const sources = [...new Set(manifest.images.map((i) => i.registry))];
  return {
    images,
    blobs: { uploaded: stats.uploaded, skipped: stats.skipped, mounted: stats.mounted },
    bytesUploaded: stats.bytes,
    manifests: pushed,
    charts: charts.sort((a, b) => (a.release < b.release ? -1 : a.release > b.release ? 1 : 0)),
    mirrorConfig: mirrorConfig(sources, registry, scheme, options.caFile, options.insecure),
  };
}

/** The registry refused an index whose left-out platforms it does not have: say why, and what to do. */
function partialIndex(e: unknown, image: BundleImage, digest: string): SovraError | undefined {
  if (!isOciError(e) || digest !== image.digest || image.skipped.length === 0 || !/MANIFEST_BLOB_UNKNOWN|blob unknown/i.test(e.message)) return undefined;
  return new SovraError(
    'bad-input',
    `the registry refused the index of ${image.name} (${digest}) because it names manifests the bundle does not carry: the bundle was filtered to ${image.platforms.join(', ')} and left out ${image.skipped.map((s) => s.platform).join(', ')}. ` +
      'This registry requires every platform of an index (the CNCF distribution registry before v3 does). Bundle with --all-platforms, or load into a registry that accepts partial indexes (distribution v3 with validation.indexes.platforms).',
    { cause: e, exitCode: BUNDLE_VERIFY_EXIT.reference },
  );
}
