/**
 * OCI image layout (image-spec v1.1): `oci-layout`, `index.json` and
 * `blobs/sha256/<hex>`, with an image index over one manifest per
 * platform. Layers are uncompressed tar (`application/vnd.oci.image.layer.v1.tar`):
 * their digest is then a function of the tar bytes alone, not of a
 * compressor's version or the CPU it ran on (zlib builds differ in output),
 * and the layer digest is also the diff id. Registries and runtimes
 * (containerd, CRI-O, Docker) take uncompressed layers; the air-gapped
 * bundle compresses the whole layout anyway. JSON documents are canonical
 * (sorted keys, no whitespace), so equal content gives equal digests.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from '../../core/canonical.js';
import { sha256Hex } from '../../core/hash.js';

/** Media types of the OCI image specification. */
export const MEDIA = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar',
  empty: 'application/vnd.oci.empty.v1+json',
  cyclonedx: 'application/vnd.cyclonedx+json',
} as const;

/** An OCI content descriptor. */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly platform?: { readonly architecture: string; readonly os: string };
  readonly annotations?: Readonly<Record<string, string>>;
  readonly artifactType?: string;
  readonly data?: string;
}

/** The blob folder of a layout. */
export function blobDir(layout: string): string {
  const dir = join(layout, 'blobs', 'sha256');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Writes `bytes` as a blob of `layout`; its descriptor. */
export function writeBlob(layout: string, mediaType: string, bytes: Buffer | string, extra: Partial<Descriptor> = {}): Descriptor {
  const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  const hex = sha256Hex(buf);
  writeFileSync(join(blobDir(layout), hex), buf);
  return { mediaType, digest: `sha256:${hex}`, size: buf.length, ...extra };
}

/** Writes a JSON document (canonical) as a blob. */
export function writeJsonBlob(layout: string, mediaType: string, doc: unknown, extra: Partial<Descriptor> = {}): Descriptor {
  return writeBlob(layout, mediaType, canonicalJson(doc), extra);
}

/** The empty JSON object `{}` as a blob: the config of an artifact manifest. */
export function emptyConfig(layout: string): Descriptor {
  return writeBlob(layout, MEDIA.empty, '{}');
}

/** Writes `oci-layout` and `index.json` of `layout`, listing `manifests`. */
export function writeLayoutIndex(layout: string, manifests: readonly Descriptor[]): void {
  writeFileSync(join(layout, 'oci-layout'), canonicalJson({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(join(layout, 'index.json'), canonicalJson({ schemaVersion: 2, mediaType: MEDIA.index, manifests }));
}
