/**
 * `sovra bundle`: everything an air-gapped site needs for one profile, in
 * one reproducible, signed archive (see format.ts for its layout). Images
 * are resolved by their locked digest (platforms filtered to the profile's
 * architectures unless all are asked for) and their manifests cached; their
 * configs and layers are then fetched into the content-addressed cache in
 * archive order while charts and model files are fetched by digest, the
 * synth writes every view into the staging area, the provenance is signed
 * (every digest is known from the manifests) and the archive is streamed
 * through tar and zstd by a worker thread that takes each layer as soon as
 * it is downloaded, hashes it (the download does not: hashing 2 GiB took a
 * third of the main thread's time, which the downloads need) and only then
 * lets it into the cache: no blob is held in memory.
 * Whatever is not pinned by digest (an unlocked image, a chart without an
 * archive digest, a model whose files cannot be had by digest) is refused
 * before anything is fetched, naming each one.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { canonicalJson, stableJson } from '../../core/canonical.js';
import { SovraError } from '../../core/errors.js';
import { sha256Hex } from '../../core/hash.js';
import { BUNDLE_REFUSAL_EXIT } from '../../contracts/bundle-codes.js';
import { isServedModel } from '../../contracts/served-model.js';
import type { ImageLockFile } from '../../constructs/kit/image-lock.js';
import type { Profile } from '../../profiles/profile.generated.js';
import type { Inventory, InventoryChart } from '../inventory.js';
import { lockfileInput, sovraSourceCommit, type ResourceDescriptor } from '../provenance.js';
import type { Signer } from '../signer.js';
import { BlobCache, type UnhashedBlob } from '../oci/cache.js';
import { limiter } from '../oci/limit.js';
import { resolveImage, type PlatformFilter, type ResolvedImage } from '../oci/pull.js';
import type { RegistryClient, Repo } from '../oci/client.js';
import type { Descriptor } from '../oci/manifest.js';
import { fetchChart } from './charts.js';
import {
  archiveOrder,
  blobPath,
  BUNDLE_SIGNATURE_FILE,
  BUNDLE_STATEMENT_FILE,
  CHARTS_DIR,
  IMAGE_NAME_ANNOTATION,
  INDEX_FILE,
  MANIFEST_FILE,
  MODELS_DIR,
  OCI_LAYOUT_CONTENT,
  OCI_LAYOUT_FILE,
  REF_NAME_ANNOTATION,
  SYNTH_DIR,
  type BundleChart,
  type BundleImage,
  type BundleManifest,
  type BundleModel,
} from './format.js';
import { bundleStatement } from './provenance.js';
import { writeArchive, type ArchiveFile } from './archive-writer.js';
import { zstdVersion } from './zstd.js';
import { compressedMediaType, OCI_INDEX } from '../oci/manifest.js';

/** Default architectures when the profile names none. */
export const DEFAULT_ARCHITECTURES = ['amd64'] as const;

/** The architectures a profile's nodes run (`distribution.architectures`, default amd64). */
export function profileArchitectures(profile: Profile): readonly string[] {
  return profile.distribution.architectures ?? DEFAULT_ARCHITECTURES;
}

/** Writes the synth output of the bundled profile into `outDir`. */
export type BundleSynth = (args: {
  readonly outDir: string;
  /**
   * The chart archive of each release, already fetched and checked against
   * its pinned digest (a file in the cache), for a synth that embeds charts
   * in HelmChart objects (`chartContent`).
   */
  readonly chartArchive: (release: string) => string | undefined;
}) => Promise<void>;

/** Options of a bundle. */
export interface BundleOptions {
  readonly profile: Profile;
  /** Where the profile came from (`edge`, `./site.yaml`), recorded in the provenance. */
  readonly profileSource: string;
  /** Images, charts and models of the profile's platform. */
  readonly inventory: Inventory;
  /** The image lock the platform read (its digest is a recorded input). */
  readonly lock: { readonly file: ImageLockFile; readonly origin: string };
  /** The archive to write (`.tar.zst`); replaced only when everything succeeded. */
  readonly out: string;
  readonly signer: Signer;
  readonly client: RegistryClient;
  /** The content-addressed cache. */
  readonly cacheDir: string;
  /** Carry every platform of every index. @default false: the profile's architectures */
  readonly allPlatforms?: boolean;
  /** SOURCE_DATE_EPOCH: the time of every entry and of the provenance. */
  readonly epoch: number;
  readonly sovraVersion: string;
  readonly synth: BundleSynth;
  /** Folder holding served models' files as `<model name>/<path>`, for models whose files are declared by digest. */
  readonly modelsDir?: string;
  /** Concurrent blob downloads. @default 4 */
  readonly concurrency?: number;
  /**
   * Also write the images alone, as an OCI layout in a zstd-compressed tar
   * that K3s imports from its `agent/images/` folder at start (a single-node
   * site without a registry).
   */
  readonly k3sImages?: string;
  /** Progress lines. */
  readonly onProgress?: (line: string) => void;
}

/** What a bundle holds and what it cost. */
export interface BundleResult {
  readonly out: string;
  readonly bytes: number;
  readonly manifest: BundleManifest;
  readonly files: number;
  /** Bytes fetched over the network (0 when the cache had everything). */
  readonly downloaded: number;
}

function refuseUnpinned(inventory: Inventory): void {
  const unlocked = [...new Set(inventory.images.filter((i) => !i.digest).map((i) => `${i.name} (${i.component})`))];
  if (unlocked.length > 0) {
    throw new SovraError('failed-verification', `the bundle carries images by digest only, and ${unlocked.length} image${unlocked.length === 1 ? ' is' : 's are'} not locked: ${unlocked.join(', ')}. Lock them with \`sovra lock\` (or replace them with digest-pinned references), then bundle again.`, { exitCode: BUNDLE_REFUSAL_EXIT.unlocked });
  }
  const charts = inventory.charts.filter((c) => !c.spec.digest).map((c) => `${c.spec.chart} ${c.spec.version} (release ${c.spec.release}, ${c.component}, from ${c.spec.repository})`);
  if (charts.length > 0) {
    throw new SovraError('failed-verification', `the bundle carries charts by archive digest only, and ${charts.length} chart${charts.length === 1 ? ' has' : 's have'} none pinned: ${charts.join(', ')}. Pin the archive's sha256 in the component's catalog (as the repository index lists it), or replace the chart's source with one that is pinned.`, { exitCode: BUNDLE_REFUSAL_EXIT.chart });
  }
}

/** `registry/repository:tag` of what an image's reference pulls: the name of the image in the layout and in the SBOM. */
export function layoutName(spec: { readonly registry: string; readonly repository: string; readonly tag: string }): string {
  return `${spec.registry}/${spec.repository}:${spec.tag}`;
}

/** Every regular file under `dir`, as sorted POSIX paths. */
function listTree(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out.push(relative(dir, join(e.parentPath, e.name)).split(sep).join('/'));
    else if (!e.isDirectory()) throw new Error(`synth output ${join(e.parentPath, e.name)} is not a regular file`);
  }
  return out.sort();
}

async function sha256OfFile(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(c as Buffer);
  return h.digest('hex');
}

/** Builds the bundle. */
export async function createBundle(options: BundleOptions): Promise<BundleResult> {
  const { inventory, profile } = options;
  const progress = options.onProgress ?? (() => undefined);
  refuseUnpinned(inventory);
  const filter: PlatformFilter = options.allPlatforms ? 'all' : { architectures: profileArchitectures(profile) };
  const platforms: BundleManifest['platforms'] = filter === 'all' ? 'all' : filter.architectures.map((a) => `linux/${a}`);
  const models = planModels(inventory, options.modelsDir);

  const target = resolve(options.out);
  mkdirSync(dirname(target), { recursive: true });
  const staging = join(dirname(target), `.${basename(target)}.tmp-${randomBytes(6).toString('hex')}`);
  mkdirSync(staging);
  const cache = new BlobCache(options.cacheDir);
  const limit = limiter(options.concurrency ?? 4);
  let downloaded = 0;
  const fetches = new Map<string, Promise<void>>();
  const unhashed = new Map<string, UnhashedBlob>();
  let cancelled = false;
  // The staging folder's removal, started as soon as the archive writer has read the synth output out of it.
  let removal: Promise<void> | undefined;
  // Recorded in the manifest; asked now, beside the fetches, not when the archive is about to start.
  const zstdAsked = zstdVersion();
  zstdAsked.catch(() => undefined);
  try {
    // Images, by digest, each repository once: their manifests now, their configs and layers below.
    const byImage = new Map<string, ResolvedImage>();
    const distinct = new Map<string, { registry: string; repository: string; digest: string }>();
    for (const i of inventory.images) distinct.set(`${i.spec.registry}/${i.spec.repository}@${i.digest}`, { registry: i.spec.registry, repository: i.spec.repository, digest: i.digest! });
    const imageLimit = limiter(4);
    await Promise.all(
      [...distinct.entries()].map(([key, r]) =>
        imageLimit(async () => {
          const resolved = await resolveImage(options.client, cache, { registry: r.registry, repository: r.repository }, r.digest, filter);
          downloaded += resolved.downloaded;
          byImage.set(key, resolved);
        }),
      ),
    );

    // Configs and layers are fetched in the order the archive holds them (by digest), a few at a time, while
    // the charts are fetched, the synth runs and the archive is written: the writer waits for each blob as it
    // comes to it, so fetching and archiving overlap. The first failure stops the bundle.
    const sources = new Map<string, { repo: Repo; blob: Descriptor }>();
    for (const key of [...byImage.keys()].sort()) for (const b of byImage.get(key)!.blobs) if (!sources.has(b.digest)) sources.set(b.digest, { repo: byImage.get(key)!.repo, blob: b });
    // A blob downloaded now is not hashed on this thread: the archive writer reads it whole anyway and
    // hashes it on its own thread, and only then does it enter the cache (fetchUnhashed).
    const fetched = new Map<string, number>();
    let stop!: (e: unknown) => void;
    const stopped = new Promise<never>((_, reject) => (stop = reject));
    stopped.catch(() => undefined);
    for (const d of [...sources.keys()].sort()) {
      const { repo, blob } = sources.get(d)!;
      const what = `blob ${repo.registry}/${repo.repository}@${d}`;
      const fetch = async (): Promise<number> => {
        if (cancelled) return 0;
        const r = await cache.fetchUnhashed(d, blob.size, (offset) => options.client.openBlob(repo, d, offset), what, (n, why) => progress(`retry ${n} of ${what}: ${why}`));
        if (r.unhashed) unhashed.set(d, r.unhashed);
        return r.downloaded;
      };
      const p = limit(fetch).then(
        (n) => {
          fetched.set(d, n);
          downloaded += n;
        },
        (e: unknown) => {
          stop(e);
          throw e;
        },
      );
      p.catch(() => undefined);
      fetches.set(d, p);
    }
    for (const [key, image] of [...byImage.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      void Promise.all(image.blobs.map((b) => fetches.get(b.digest))).then(() => {
        const bytes = image.downloaded + image.blobs.reduce((n, b) => n + (fetched.get(b.digest) ?? 0), 0);
        progress(`image ${key}: ${image.manifests.length} manifests, ${image.blobs.length} blobs${image.platforms.length > 0 ? ` (${image.platforms.join(', ')})` : ''}${bytes > 0 ? `, ${bytes} bytes fetched` : ', all cached'}`);
      }, () => undefined);
    }
    /** Waits for a blob's fetch, or fails with the first fetch that failed. */
    const ready = (digest: string): Promise<void> => Promise.race([fetches.get(digest)!, stopped]);

    // Charts, by archive digest.
    const charts: BundleChart[] = [];
    const chartFiles = new Map<string, string>();
    const chartByRelease = new Map<string, string>();
    for (const c of inventory.charts as Array<InventoryChart & { spec: { digest: string } }>) {
      const fetched = await fetchChart(options.client, cache, c.spec);
      downloaded += fetched.cached ? 0 : fetched.size;
      const path = `${CHARTS_DIR}/${c.spec.chart}-${c.spec.version}.tgz`;
      const other = chartFiles.get(path);
      if (other !== undefined && other !== c.spec.digest) {
        throw new SovraError('failed-verification', `charts ${c.spec.chart} ${c.spec.version} of two releases have different archives (${other} and ${c.spec.digest}); one archive per chart version can be bundled.`, { exitCode: BUNDLE_REFUSAL_EXIT.chart });
      }
      chartFiles.set(path, c.spec.digest);
      chartByRelease.set(c.spec.release, cache.path(c.spec.digest));
      charts.push({ release: c.spec.release, chart: c.spec.chart, version: c.spec.version, repository: c.spec.repository, digest: c.spec.digest, path, component: c.component });
      progress(`chart ${c.spec.chart} ${c.spec.version} (${c.spec.release}): ${fetched.cached ? 'cached' : `fetched from ${fetched.url}`}`);
    }

    // Model files, by SHA-256.
    const modelFiles: ArchiveFile[] = [];
    const bundledModels: BundleModel[] = [];
    for (const m of models.carried) {
      const files: Array<{ path: string; sha256: string; size: number }> = [];
      for (const f of m.files) {
        const digest = `sha256:${f.sha256}`;
        if (f.url) {
          const r = await cache.fetch(digest, f.size, (offset) => options.client.openUrl(new URL(f.url!), offset, `model ${m.name} file ${f.path}`), `model ${m.name} file ${f.path}`);
          downloaded += r.downloaded;
        } else {
          const local = f.local!;
          const got = existsSync(local) ? await sha256OfFile(local) : undefined;
          if (got !== f.sha256) throw new SovraError('failed-verification', `model ${m.name}: ${local} ${got ? `has sha256 ${got}, the declaration says ${f.sha256}` : 'does not exist'}.`, { exitCode: BUNDLE_REFUSAL_EXIT.model });
          await cache.importFile(digest, local);
        }
        const size = statSync(cache.path(digest)).size;
        files.push({ path: f.path, sha256: f.sha256, size });
        modelFiles.push({ path: `${MODELS_DIR}/${m.name}/${f.path}`, size, sha256: f.sha256, file: cache.path(digest), check: !cache.verified.has(digest) });
      }
      bundledModels.push({ name: m.name, version: m.version, component: m.component, files });
    }

    // The synth output with every view (the blobs are still being fetched).
    const synthDir = join(staging, SYNTH_DIR);
    await options.synth({ outDir: synthDir, chartArchive: (release) => chartByRelease.get(release) });
    // Hashed at once, each read whole: a few megabytes of small files, where a stream per file would take
    // its turns on an event loop busy with the downloads (measured: 0.55 s against a few milliseconds).
    const synthFiles: ArchiveFile[] = [];
    for (const p of listTree(synthDir)) {
      const file = join(synthDir, ...p.split('/'));
      const bytes = readFileSync(file);
      synthFiles.push({ path: `${SYNTH_DIR}/${p}`, size: bytes.length, sha256: sha256Hex(bytes), file });
    }

    // The layout: index.json names every image by its name; blobs once each.
    const images: BundleImage[] = [];
    const blobs = new Map<string, ArchiveFile>();
    const manifestDigests = new Set<string>();
    // Images by what the manifests pull (registry/repository:tag of the reference, a replacement's for a replaced image): the SBOM's names.
    const names = new Map<string, (typeof inventory.images)[number][]>();
    for (const i of inventory.images) names.set(layoutName(i.spec), [...(names.get(layoutName(i.spec)) ?? []), i]);
    for (const [name, rows] of [...names.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const spec = rows[0]!.spec;
      const digests = [...new Set(rows.map((r) => r.digest))];
      if (digests.length > 1) {
        throw new SovraError('failed-verification', `image ${name} is pinned to ${digests.join(' and ')} by ${rows.map((r) => `${r.name} (${r.component})`).join(', ')}: one name, one digest; give the replacements distinct tags or one digest.`, { exitCode: BUNDLE_REFUSAL_EXIT.unlocked });
      }
      const pulled = byImage.get(`${spec.registry}/${spec.repository}@${rows[0]!.digest}`)!;
      for (const m of pulled.manifests) {
        manifestDigests.add(m.digest);
        blobs.set(m.digest, { path: blobPath(m.digest), size: m.size, sha256: m.digest.slice(7), file: cache.path(m.digest), check: !cache.verified.has(m.digest) });
      }
      for (const b of pulled.blobs) {
        blobs.set(b.digest, { path: blobPath(b.digest), size: b.size, sha256: b.digest.slice(7), file: cache.path(b.digest), ready: () => ready(b.digest).then(() => unhashed.get(b.digest) ?? !cache.verified.has(b.digest)), stored: compressedMediaType(b.mediaType) });
      }
      images.push({
        name,
        catalogNames: [...new Set(rows.map((r) => r.name))].sort(),
        reference: rows[0]!.reference,
        registry: spec.registry,
        repository: spec.repository,
        tag: spec.tag,
        digest: pulled.digest,
        mediaType: pulled.mediaType,
        size: pulled.size,
        components: [...new Set(rows.map((r) => r.component))].sort(),
        platforms: pulled.platforms,
        skipped: pulled.skipped,
        manifests: pulled.manifests.map((m) => m.digest),
      });
    }
    const index = {
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: images.map((i) => ({ mediaType: i.mediaType, digest: i.digest, size: i.size, annotations: { [IMAGE_NAME_ANNOTATION]: i.name, [REF_NAME_ANNOTATION]: i.tag } })),
    };
    const zstd = await zstdAsked;
    const manifest: BundleManifest = {
      bundleVersion: 1,
      profile: profile.name,
      sovraVersion: options.sovraVersion,
      created: new Date(options.epoch * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      platforms,
      images,
      charts,
      models: bundledModels,
      notCarried: models.notCarried,
      zstd,
    };
    const meta = (path: string, text: string): ArchiveFile => {
      const data = Buffer.from(text, 'utf8');
      return { path, size: data.length, sha256: sha256Hex(data), data };
    };
    const chartEntries: ArchiveFile[] = [...chartFiles.entries()].map(([path, digest]) => ({ path, size: statSync(cache.path(digest)).size, sha256: digest.slice(7), file: cache.path(digest), check: !cache.verified.has(digest), stored: true }));
    const files: ArchiveFile[] = [meta(OCI_LAYOUT_FILE, OCI_LAYOUT_CONTENT), meta(INDEX_FILE, stableJson(index)), meta(MANIFEST_FILE, stableJson(manifest)), ...blobs.values(), ...chartEntries, ...modelFiles, ...synthFiles];

    // Provenance over every file, signed.
    const ordered = archiveOrder(files.map((f) => f.path), manifestDigests);
    const byPath = new Map(files.map((f) => [f.path, f]));
    const subjects = [...ordered].sort().map((p) => ({ name: p, sha256: byPath.get(p)!.sha256 }));
    const inputs: ResourceDescriptor[] = [{ name: 'image-lock', uri: `file:${options.lock.origin}`, digest: { sha256: sha256Hex(canonicalJson(options.lock.file)) }, annotations: { content: 'the image lock, canonical JSON' } }];
    const npmLock = lockfileInput();
    if (npmLock) inputs.push(npmLock);
    const source = sovraSourceCommit();
    if (source) inputs.push({ name: 'sovra-source', digest: { gitCommit: source.commit }, annotations: { dirty: source.dirty } });
    const statement = stableJson(
      bundleStatement({ subjects, profile: { name: profile.name, source: options.profileSource, digest: sha256Hex(canonicalJson(profile)) }, sovraVersion: options.sovraVersion, epoch: options.epoch, platforms, zstd, images, charts, models: bundledModels, inputs }),
    );
    const { signStatement } = await import('../sign.js');
    const signature = await signStatement(Buffer.from(statement, 'utf8'), options.signer);
    byPath.set(BUNDLE_STATEMENT_FILE, meta(BUNDLE_STATEMENT_FILE, statement));
    byPath.set(BUNDLE_SIGNATURE_FILE, meta(BUNDLE_SIGNATURE_FILE, signature));
    const all = archiveOrder([...byPath.keys()], manifestDigests);

    // The archive, streamed through tar and zstd into a temporary file renamed into place.
    const partial = `${staging}.tar.zst`;
    // Once the writer is past the synth output (before the layers), the staging folder goes, beside the rest:
    // removed at the end it waited up to 0.77 s on the file system's journal, busy then with the cache's writes.
    const lastSynth = all.filter((p) => p.startsWith(`${SYNTH_DIR}/`)).at(-1);
    const onWritten = (path: string): void => {
      if (path === lastSynth) {
        removal = rm(staging, { recursive: true, force: true });
        removal.catch(() => undefined);
      }
    };
    const { bytes } = await writeArchive(partial, all.map((p) => byPath.get(p)!), options.epoch, { onWritten });
    if (options.k3sImages) {
      const k3s = resolve(options.k3sImages);
      const layoutOnly = all.filter((p) => p === OCI_LAYOUT_FILE || p === INDEX_FILE || p.startsWith('blobs/'));
      // The blobs were hashed into the bundle just now.
      await writeArchive(`${staging}.k3s.tar.zst`, layoutOnly.map((p) => ({ ...byPath.get(p)!, check: false, ready: undefined })), options.epoch);
      mkdirSync(dirname(k3s), { recursive: true });
      renameSync(`${staging}.k3s.tar.zst`, k3s);
      progress(`wrote ${k3s}: the images as an OCI layout for K3s agent/images/`);
    }
    renameSync(partial, target);
    progress(`wrote ${target}: ${all.length} files, ${bytes} bytes`);
    return { out: target, bytes, manifest, files: all.length, downloaded };
  } catch (e) {
    // The fetches not started yet are skipped; those running finish (or fail) before the bundle returns, so none is left writing.
    cancelled = true;
    await Promise.allSettled(fetches.values());
    throw e;
  } finally {
    // Downloads never hashed (the bundle stopped first) stay partial: the next run hashes them before use.
    for (const u of unhashed.values()) u.abandon();
    await removal?.catch(() => undefined);
    rmSync(staging, { recursive: true, force: true });
    rmSync(`${staging}.tar.zst`, { force: true });
    rmSync(`${staging}.k3s.tar.zst`, { force: true });
  }
}

interface PlannedModel {
  readonly name: string;
  readonly version: string;
  readonly component: string;
  readonly files: ReadonlyArray<{ readonly path: string; readonly sha256: string; readonly size?: number; readonly url?: string; readonly local?: string }>;
}

/** Which models are carried (and from where), which are not (and why); refuses those that should be and cannot. */
function planModels(inventory: Inventory, modelsDir: string | undefined): { carried: PlannedModel[]; notCarried: BundleManifest['notCarried'] } {
  const carried: PlannedModel[] = [];
  const notCarried: Array<BundleManifest['notCarried'][number]> = [];
  const refused: string[] = [];
  const seen = new Set<string>();
  for (const { component, model } of inventory.models) {
    const key = `${model.name}@${model.version}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (!isServedModel(model)) {
      if (model.source.startsWith('generated:')) {
        notCarried.push({ kind: 'model', name: key, component, reason: `generated by Sovra (${model.source}): the control plane image writes it at install and checks its digest` });
      } else if (/^https?:\/\//.test(model.source)) {
        carried.push({ name: model.name, version: model.version, component, files: [{ path: model.file, sha256: model.sha256, size: model.sizeBytes, url: model.source }] });
      } else if (modelsDir) {
        carried.push({ name: model.name, version: model.version, component, files: [{ path: model.file, sha256: model.sha256, local: join(modelsDir, model.name, model.file) }] });
      } else refused.push(`${key} (${component}): its source ${model.source} is not a URL; give its file with --models-dir <dir> as <dir>/${model.name}/${model.file}`);
      continue;
    }
    if (model.digests === 'supplied-at-install') {
      notCarried.push({ kind: 'model', name: key, component, reason: 'its digests are supplied by the site at install, so its files cannot be carried by digest' });
      continue;
    }
    if (!modelsDir) {
      refused.push(`${key} (${component}): ${model.files.length} files declared by digest; give them with --models-dir <dir> as <dir>/${model.name}/<path>`);
      continue;
    }
    carried.push({ name: model.name, version: model.version, component, files: model.files.map((f) => ({ path: f.path, sha256: f.sha256, local: join(modelsDir, model.name, ...f.path.split('/')) })) });
  }
  if (refused.length > 0) throw new SovraError('failed-verification', `the bundle carries model weights by digest, and ${refused.length} model${refused.length === 1 ? '' : 's'} cannot be had that way: ${refused.join('; ')}.`, { exitCode: BUNDLE_REFUSAL_EXIT.model });
  return { carried, notCarried };
}

