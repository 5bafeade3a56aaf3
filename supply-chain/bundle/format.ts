/**
 * What the bundle archive holds and in which order. One zstd-compressed
 * tar whose root is an OCI image layout (`oci-layout`, `index.json`,
 * `blobs/sha256/…`) with, beside it, `bundle.json` (what was carried and
 * why), `charts/`, `models/`, `synth/` (the synth output with every view)
 * and the bundle's provenance (`provenance.intoto.json`, whose subjects are
 * every other file, and its signature `provenance.sigstore.json`).
 *
 * Entries are written metadata first, so a reader that streams the archive
 * once knows what it will find before the large blobs arrive: the layout
 * files, bundle.json and the provenance; then manifests and indexes; then
 * charts, models and the synth output; then configs and layers. Each group
 * is sorted by path.
 */
import { BUNDLE_PATH, STATEMENT_PATH } from '../../contracts/output-paths.js';

/** `oci-layout`. */
export const OCI_LAYOUT_FILE = 'oci-layout';
/** The layout's index. */
export const INDEX_FILE = 'index.json';
/** What the bundle carries. */
export const MANIFEST_FILE = 'bundle.json';
/** Folder of the synth output inside the archive. */
export const SYNTH_DIR = 'synth';
/** Folder of chart archives. */
export const CHARTS_DIR = 'charts';
/** Folder of model files. */
export const MODELS_DIR = 'models';
/** Provenance files at the archive root (the synth's names). */
export { BUNDLE_PATH as BUNDLE_SIGNATURE_FILE, STATEMENT_PATH as BUNDLE_STATEMENT_FILE };

/** `oci-layout`'s content. */
export const OCI_LAYOUT_CONTENT = '{"imageLayoutVersion":"1.0.0"}\n';

/** Annotation naming an image in the layout's index (containerd's import reads it). */
export const IMAGE_NAME_ANNOTATION = 'io.containerd.image.name';
/** OCI annotation: the tag of an image in the layout's index. */
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

/** Path of blob `digest` in the layout. */
export function blobPath(digest: string): string {
  return `blobs/sha256/${digest.slice('sha256:'.length)}`;
}

/** The digest a blob path names, if it is one. */
export function blobDigest(path: string): string | undefined {
  const m = /^blobs\/sha256\/([0-9a-f]{64})$/.exec(path);
  return m ? `sha256:${m[1]}` : undefined;
}

/** An image as bundle.json records it. */
export interface BundleImage {
  /** `registry/repository:tag` of what the manifests pull (a replacement's, for a replaced image): the name in index.json and in the SBOM. */
  readonly name: string;
  /** The catalog's names of the image (`sovra images`, the lock, `imageOverrides`): more than one when several are replaced by the same image. */
  readonly catalogNames: readonly string[];
  /** The reference the manifests use (`registry/repository@sha256:…`). */
  readonly reference: string;
  readonly registry: string;
  readonly repository: string;
  readonly tag: string;
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
  /** Components that run it. */
  readonly components: readonly string[];
  /** Platforms carried (`os/arch`; empty for a single-platform image). */
  readonly platforms: readonly string[];
  /** Index entries the platform filter left out. */
  readonly skipped: ReadonlyArray<{ readonly digest: string; readonly platform: string }>;
  /** Every manifest and index carried for it, the top one first. */
  readonly manifests: readonly string[];
}

/** A chart as bundle.json records it. */
export interface BundleChart {
  readonly release: string;
  readonly chart: string;
  readonly version: string;
  readonly repository: string;
  readonly digest: string;
  /** Path in the archive. */
  readonly path: string;
  readonly component: string;
}

/** A model as bundle.json records it. */
export interface BundleModel {
  readonly name: string;
  readonly version: string;
  readonly component: string;
  readonly files: ReadonlyArray<{ readonly path: string; readonly sha256: string; readonly size: number }>;
}

/** bundle.json. */
export interface BundleManifest {
  readonly bundleVersion: 1;
  readonly profile: string;
  readonly sovraVersion: string;
  /** Build time (SOURCE_DATE_EPOCH), RFC 3339. */
  readonly created: string;
  /** `all`, or the `os/arch` platforms multi-platform images were filtered to. */
  readonly platforms: 'all' | readonly string[];
  readonly images: readonly BundleImage[];
  readonly charts: readonly BundleChart[];
  readonly models: readonly BundleModel[];
  /** What the profile declares that the bundle does not carry, and why. */
  readonly notCarried: ReadonlyArray<{ readonly kind: 'model'; readonly name: string; readonly component: string; readonly reason: string }>;
  readonly zstd: string;
}

/** Rank of a path in the archive order (see the module comment). */
export function entryRank(path: string, manifests: ReadonlySet<string>): number {
  if (path === OCI_LAYOUT_FILE) return 0;
  if (path === INDEX_FILE) return 1;
  if (path === MANIFEST_FILE) return 2;
  if (path === STATEMENT_PATH) return 3;
  if (path === BUNDLE_PATH) return 4;
  const digest = blobDigest(path);
  if (digest) return manifests.has(digest) ? 5 : 7;
  return 6;
}

/** `paths` in archive order. */
export function archiveOrder(paths: readonly string[], manifests: ReadonlySet<string>): string[] {
  return [...paths].sort((a, b) => entryRank(a, manifests) - entryRank(b, manifests) || (a < b ? -1 : a > b ? 1 : 0));
}
