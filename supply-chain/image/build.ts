/**
 * `sovra image build`: the control plane's OCI image from pinned parts
 * only, without a container engine. Per platform four layers, one per
 * concern so that builds share what did not change: the Debian base, the
 * Node.js runtime, the production npm tree, and Sovra itself (the same
 * blob for every platform). An image index over the platforms, the image's
 * SBOM beside the layout and attached to it as a referrer, and a summary.
 * The output directory is written whole or not at all.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { controlPlaneImage } from '../../constructs/ai-runtime/control-plane/catalog.js';
import { imageName } from '../../constructs/kit/image.js';
import type { LockedImage } from '../../constructs/kit/image-lock.js';
import { CONTROL_PLANE_IMAGE_RUNTIME, CONTROL_PLANE_PORT } from '../../contracts/control-plane.js';
import { stableJson } from '../../core/canonical.js';
import { sha256Hex } from '../../core/hash.js';
import { StagedDirectory } from '../../core/output-dir.js';
import { packageRoot, shipped } from '../../core/paths.js';
import { isoTime } from '../../core/time.js';
import { sovraVersion } from '../../core/version.js';
import { sovraSourceCommit } from '../provenance.js';
import { appLayer } from './app-layer.js';
import { baseLayer } from './base-layer.js';
import { Staging, type Layer, type WrittenLayer } from './layer.js';
import { dependencyLayer, nodeLayer } from './npm-layers.js';
import { blobDir, emptyConfig, MEDIA, writeBlob, writeJsonBlob, writeLayoutIndex, type Descriptor } from './oci.js';
import { PARTS_FILE, partsFor, shippedParts, type Architecture, type PartsLock } from './parts.js';
import { imageSbom, type PlatformImage } from './sbom.js';
import { PartStore, type PartStats } from './store.js';

/** Options of {@link buildImage}. */
export interface ImageBuildOptions {
  /** Output directory: `oci/` (the layout), `sbom.cdx.json`, `image.json`. */
  readonly outDir: string;
  /** Platforms to build. @default every platform of the parts lock */
  readonly architectures?: readonly Architecture[];
  /** Content-addressed cache of parts. */
  readonly cacheDir: string;
  /** npm's cache folder (read only), or undefined to not use it. */
  readonly npmCacheDir?: string;
  /** Debian mirror (the folder holding `pool/`). */
  readonly debianMirror: string;
  /** npm registry. */
  readonly npmRegistry: string;
  /** Time of the application layer and the image (SOURCE_DATE_EPOCH or the source commit's). */
  readonly epoch: number;
  /** @default the parts lock Sovra ships */
  readonly parts?: PartsLock;
  /** Progress lines. */
  readonly log?: (line: string) => void;
}

/** A built layer, as the summary lists it. */
export interface BuiltLayer extends WrittenLayer {
  readonly description: string;
}

/** One platform of the built image. */
export interface BuiltPlatform {
  readonly platform: string;
  readonly manifest: string;
  readonly config: string;
  readonly layers: readonly BuiltLayer[];
}

/** What a build produced. */
export interface ImageBuildResult {
  /** `registry/repository:tag` of the control plane image. */
  readonly reference: string;
  /** Digest of the image index: what the lock records. */
  readonly digest: string;
  readonly platforms: readonly BuiltPlatform[];
  /** Digest of the SBOM blob and of the referrer manifest that attaches it. */
  readonly sbom: { readonly digest: string; readonly referrer: string };
  readonly outDir: string;
  /** The lock entry this build stands for. */
  readonly lockEntry: LockedImage;
  readonly stats: PartStats;
  /** Wall time of each step, in milliseconds (not written anywhere). */
  readonly timings: Readonly<Record<string, number>>;
}

/** Paths inside the output directory. */
export const IMAGE_OUTPUT = { layout: 'oci', sbom: 'sbom.cdx.json', summary: 'image.json' } as const;

/** Builds the image; see the module comment. */
export async function buildImage(options: ImageBuildOptions): Promise<ImageBuildResult> {
  const parts = options.parts ?? shippedParts();
  const archs = options.architectures ?? parts.platforms.map((p) => p.slice('linux/'.length) as Architecture);
  const log = options.log ?? (() => undefined);
  const root = packageRoot();
  const lockText = readFileSync(join(root, 'package-lock.json'), 'utf8');
  const lock = JSON.parse(lockText) as unknown;
  const partsText = readFileSync(shipped(PARTS_FILE), 'utf8');
  const source = sovraSourceCommit();
  const image = controlPlaneImage();
  const reference = imageName(image);
  const timings: Record<string, number> = {};
  const time = async <T>(step: string, f: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await f();
    } finally {
      timings[step] = (timings[step] ?? 0) + performance.now() - t0;
    }
  };

  const out = new StagedDirectory(options.outDir);
  try {
    const layout = join(out.staging, IMAGE_OUTPUT.layout);
    const blobs = blobDir(layout);
    const workDir = join(out.staging, '.work');
    const store = new PartStore({ cacheDir: options.cacheDir, ...(options.npmCacheDir ? { npmCacheDir: options.npmCacheDir } : {}) });
    const write = async (layer: Layer, arch?: Architecture): Promise<BuiltLayer> => {
      const w = await layer.writeTar(blobs);
      log(`${(arch ? `linux/${arch}` : 'all').padEnd(12)} ${w.digest.slice(0, 19)}  ${(w.size / 1048576).toFixed(1).padStart(7)} MiB  ${layer.description}`);
      return { ...w, description: layer.description };
    };
    const fixed = parts.epoch.seconds;

    // The platforms are built side by side (reading, unpacking and hashing overlap with writing);
    // the output depends on content only, never on which finishes first.
    const buildPlatform = async (arch: Architecture, app: Promise<BuiltLayer>) => {
      const p = partsFor(parts, arch);
      const staging = new Staging(join(workDir, arch));
      let base: BuiltLayer, node: BuiltLayer, deps: BuiltLayer;
      try {
        base = await time('base layer', async () => write((await baseLayer(p, store, staging, options.debianMirror, fixed)).layer, arch));
        node = await time('node layer', async () => write(await nodeLayer(p.node, store, staging, options.npmRegistry, fixed), arch));
        deps = await time('dependency layer', async () => write((await dependencyLayer(lock, arch, store, staging, options.npmRegistry, fixed)).layer, arch));
      } finally {
        await staging.clear();
      }
      const layers = [base, node, deps, await app];
      const rt = CONTROL_PLANE_IMAGE_RUNTIME;
      const created = isoTime(options.epoch);
      const config = writeJsonBlob(layout, MEDIA.config, {
        architecture: arch,
        os: 'linux',
        created,
        config: {
          User: `${rt.user.uid}:${rt.user.gid}`,
          Env: Object.entries(rt.env).map(([k, v]) => `${k}=${v}`),
          Entrypoint: [...rt.entrypoint],
          Cmd: [...rt.cmd],
          WorkingDir: rt.workdir,
          ExposedPorts: { [`${CONTROL_PLANE_PORT}/tcp`]: {} },
          Labels: { 'org.opencontainers.image.version': image.tag, 'org.opencontainers.image.licenses': image.license, ...(source ? { 'org.opencontainers.image.revision': source.commit } : {}) },
        },
        rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
        history: layers.map((l) => ({ created, created_by: `sovra image build: ${l.description}` })),
      });
      const annotations = { 'org.opencontainers.image.created': created, 'org.opencontainers.image.version': image.tag, ...(source ? { 'org.opencontainers.image.revision': source.commit } : {}) };
      const manifest = writeJsonBlob(
        layout,
        MEDIA.manifest,
        { schemaVersion: 2, mediaType: MEDIA.manifest, config, layers: layers.map((l) => ({ mediaType: MEDIA.layer, digest: l.digest, size: l.size })), annotations },
        { platform: { architecture: arch, os: 'linux' } },
      );
      const platform: BuiltPlatform = { platform: `linux/${arch}`, manifest: manifest.digest, config: config.digest, layers };
      const sbom: PlatformImage = { architecture: arch, manifest: manifest.digest, debs: p.debs, node: p.node };
      return { manifest, platform, sbom };
    };
    const app = time('app layer', async () => write(appLayer(root, options.epoch).layer));
    // Every platform is let finish before a failure is reported, so none is left writing into a removed folder.
    const settled = await Promise.allSettled([app, ...archs.map((arch) => buildPlatform(arch, app))]);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const built = settled.slice(1).map((r) => (r as PromiseFulfilledResult<Awaited<ReturnType<typeof buildPlatform>>>).value);
    const manifests = built.map((b) => b.manifest);
    const platforms = built.map((b) => b.platform);
    const sbomPlatforms = built.map((b) => b.sbom);
    const created = isoTime(options.epoch);
    const index = writeJsonBlob(layout, MEDIA.index, {
      schemaVersion: 2,
      mediaType: MEDIA.index,
      manifests,
      annotations: { 'org.opencontainers.image.created': created, 'org.opencontainers.image.version': image.tag, ...(source ? { 'org.opencontainers.image.revision': source.commit } : {}) },
    });
    const digest = index.digest;

    const sbomText = await time('sbom', async () =>
      imageSbom({
        image: { ...image, digest, digestSource: 'built by sovra image build' },
        platforms: sbomPlatforms,
        parts,
        lock,
        sovraVersion: sovraVersion(),
        license: image.license,
        appLayer: (await app).digest,
        ...(source ? { commit: source.commit } : {}),
        epoch: options.epoch,
      }),
    );
    writeFileSync(join(out.staging, IMAGE_OUTPUT.sbom), sbomText);
    const sbomBlob = writeBlob(layout, MEDIA.cyclonedx, sbomText, { annotations: { 'org.opencontainers.image.title': IMAGE_OUTPUT.sbom } });
    const referrer = writeJsonBlob(
      layout,
      MEDIA.manifest,
      { schemaVersion: 2, mediaType: MEDIA.manifest, artifactType: MEDIA.cyclonedx, config: emptyConfig(layout), layers: [sbomBlob], subject: { mediaType: MEDIA.index, digest, size: index.size }, annotations: { 'org.opencontainers.image.created': created } },
      { artifactType: MEDIA.cyclonedx },
    );
    writeLayoutIndex(layout, [
      { ...index, annotations: { 'org.opencontainers.image.ref.name': image.tag, 'io.containerd.image.name': reference } },
      referrer,
    ]);

    const commitText = source ? `lib at commit ${source.commit}${source.dirty ? ' with uncommitted changes' : ''}` : 'not built from a git checkout';
    const lockEntry: LockedImage = {
      reference,
      digest,
      source: `built by sovra image build from ${PARTS_FILE} (sha256:${sha256Hex(partsText)}) and package-lock.json (sha256:${sha256Hex(lockText)}), ${commitText}; platforms ${archs.map((a) => `linux/${a}`).join(', ')}`,
      recordedAt: created,
    };
    writeFileSync(
      join(out.staging, IMAGE_OUTPUT.summary),
      stableJson({ reference, digest, mediaType: MEDIA.index, layout: IMAGE_OUTPUT.layout, platforms, sbom: { file: IMAGE_OUTPUT.sbom, digest: sbomBlob.digest, referrer: referrer.digest }, lockEntry }),
    );
    rmSync(workDir, { recursive: true, force: true });
    out.commit();
    return { reference, digest, platforms, sbom: { digest: sbomBlob.digest, referrer: referrer.digest }, outDir: out.target, lockEntry, stats: store.stats, timings };
  } catch (e) {
    out.abort();
    throw e;
  }
}
