/**
 * Manifests and indexes (OCI image spec 1.1 and Docker's schema 2), read
 * only as far as a copy needs: which blobs and child manifests a manifest
 * references, and the platform of each child. The bytes are never
 * re-serialized: a manifest is kept whole, so its digest stays the one
 * that was pinned.
 */
import { OciError } from './errors.js';
import { SHA256_DIGEST } from './reference.js';

/** OCI image index. */
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
/** OCI image manifest. */
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
/** Docker manifest list (schema 2). */
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
/** Docker image manifest (schema 2). */
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
/** OCI image config. */
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
/** OCI layer, gzip-compressed tar. */
export const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';

/** Media types a client accepts for a manifest, indexes first (so an index is never silently replaced by one platform). */
export const MANIFEST_ACCEPT = [OCI_INDEX, DOCKER_MANIFEST_LIST, OCI_MANIFEST, DOCKER_MANIFEST] as const;

/** Largest manifest read (the distribution spec lets registries refuse above 4 MiB). */
export const MAX_MANIFEST_BYTES = 4 << 20;

/** Platform of an index entry. */
export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

/** A content descriptor. */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly platform?: Platform;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** A manifest or index as far as a copy needs it. */
export type ParsedManifest =
  | { readonly kind: 'index'; readonly mediaType: string; readonly manifests: readonly Descriptor[] }
  | { readonly kind: 'image'; readonly mediaType: string; readonly config: Descriptor; readonly layers: readonly Descriptor[] };

/**
 * Whether a blob of this media type is compressed already (gzip or zstd
 * layers: OCI's `+gzip` / `+zstd`, Docker's `.tar.gzip`); its bytes are
 * stored, not compressed again, in a bundle.
 */
export function compressedMediaType(mediaType: string | undefined): boolean {
  return mediaType !== undefined && /[.+](gzip|zstd)$/.test(mediaType);
}

/** Whether `mediaType` names an index or manifest list. */
export function isIndexType(mediaType: string): boolean {
  return mediaType === OCI_INDEX || mediaType === DOCKER_MANIFEST_LIST;
}

/** Whether `mediaType` names a manifest or an index (something pushed to /manifests/). */
export function isManifestType(mediaType: string): boolean {
  return (MANIFEST_ACCEPT as readonly string[]).includes(mediaType);
}

function descriptor(value: unknown, where: string): Descriptor {
  const d = value as Partial<Descriptor> | null;
  if (d === null || typeof d !== 'object') throw new OciError('protocol', `${where} is not a descriptor`);
  if (typeof d.mediaType !== 'string' || d.mediaType === '') throw new OciError('protocol', `${where} has no mediaType`);
  if (typeof d.digest !== 'string' || !SHA256_DIGEST.test(d.digest)) throw new OciError('protocol', `${where} has digest ${JSON.stringify(d.digest)}, not sha256: and 64 lower-case hex characters (other algorithms are not supported)`);
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) throw new OciError('protocol', `${where} has no valid size`);
  const p = d.platform as Partial<Platform> | undefined;
  const platform = p && typeof p.os === 'string' && typeof p.architecture === 'string' ? { os: p.os, architecture: p.architecture, ...(typeof p.variant === 'string' ? { variant: p.variant } : {}) } : undefined;
  return { mediaType: d.mediaType, digest: d.digest, size: d.size, ...(platform ? { platform } : {}), ...(d.annotations ? { annotations: d.annotations } : {}) };
}

/**
 * Parses manifest `bytes`. The media type comes from the document's own
 * `mediaType`, else from what the registry said (`contentType`); Docker
 * schema 1 and unknown types are `protocol` errors.
 */
export function parseManifest(bytes: Uint8Array, contentType: string | undefined, where: string): ParsedManifest {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new OciError('protocol', `${where}: the manifest is not JSON (${(e as Error).message})`);
  }
  if (doc === null || typeof doc !== 'object') throw new OciError('protocol', `${where}: the manifest is not a JSON object`);
  const declared = typeof doc.mediaType === 'string' ? doc.mediaType : undefined;
  const ct = contentType?.split(';')[0]!.trim();
  let mediaType = declared ?? (ct && isManifestType(ct) ? ct : undefined);
  // An OCI document may omit mediaType: its shape says which it is.
  if (!mediaType) mediaType = Array.isArray(doc.manifests) ? OCI_INDEX : doc.config ? OCI_MANIFEST : undefined;
  if (doc.schemaVersion === 1) throw new OciError('protocol', `${where}: Docker schema 1 manifests are not supported (ask the publisher for a schema 2 or OCI image)`);
  if (!mediaType || !isManifestType(mediaType)) throw new OciError('protocol', `${where}: media type ${JSON.stringify(mediaType ?? ct)} is not an OCI or Docker schema 2 manifest or index`);
  if (isIndexType(mediaType)) {
    if (!Array.isArray(doc.manifests)) throw new OciError('protocol', `${where}: the index has no manifests array`);
    return { kind: 'index', mediaType, manifests: doc.manifests.map((m, i) => descriptor(m, `${where} manifests[${i}]`)) };
  }
  if (!Array.isArray(doc.layers)) throw new OciError('protocol', `${where}: the manifest has no layers array`);
  return { kind: 'image', mediaType, config: descriptor(doc.config, `${where} config`), layers: doc.layers.map((l, i) => descriptor(l, `${where} layers[${i}]`)) };
}

/** `os/architecture[/variant]`. */
export function platformString(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}
