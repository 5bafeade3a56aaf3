/**
 * Small OCI images built by tests: each layer a real gzip-compressed tar of
 * one file whose bytes derive from a seed (so every build is the same), an
 * image config per platform, and an OCI index when there are several
 * platforms. Pushed to a registry with the product's own client.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { PassThrough } from 'node:stream';
import { Readable } from 'node:stream';
import { TarWriter } from '../../supply-chain/bundle/tar.js';
import type { RegistryClient, Repo } from '../../supply-chain/oci/client.js';
import { OCI_CONFIG, OCI_INDEX, OCI_LAYER_GZIP, OCI_MANIFEST, type Descriptor } from '../../supply-chain/oci/manifest.js';

/** A blob and its descriptor. */
export interface TestBlob {
  readonly descriptor: Descriptor;
  readonly bytes: Buffer;
}

/** An image built by a test: the top manifest or index, every manifest, every blob. */
export interface TestImage {
  readonly top: TestBlob;
  readonly manifests: readonly TestBlob[];
  readonly blobs: readonly TestBlob[];
}

function blob(mediaType: string, bytes: Buffer, extra: Partial<Descriptor> = {}): TestBlob {
  return { descriptor: { mediaType, digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, size: bytes.length, ...extra }, bytes };
}

/** `n` pseudo-random bytes from `seed` (SHA-256 in counter mode). */
export function seededBytes(seed: string, n: number): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0, at = 0; at < n; i++) {
    const h = createHash('sha256').update(`${seed}:${i}`).digest();
    at += h.copy(out, at, 0, Math.min(h.length, n - at));
  }
  return out;
}

async function tarOf(path: string, content: Buffer): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const w = new TarWriter(out, 0);
  await w.add(path, content.length, content);
  await w.finish();
  out.end();
  return Buffer.concat(chunks);
}

/**
 * Builds an image named `seed` for `platforms` (an index when more than
 * one), each with `layers` layers of about `layerBytes` bytes; with
 * `baseSeed`, each platform's first layer is a base layer shared by every
 * image built with the same `baseSeed` (32 KiB, as images share a distribution's layer).
 */
export async function buildTestImage(seed: string, platforms: ReadonlyArray<{ os: string; architecture: string }>, layers = 2, layerBytes = 4096, baseSeed?: string): Promise<TestImage> {
  const manifests: TestBlob[] = [];
  const blobs: TestBlob[] = [];
  const entries: Descriptor[] = [];
  for (const p of platforms) {
    const ls: TestBlob[] = [];
    const diffIds: string[] = [];
    for (let i = 0; i < layers; i++) {
      const base = i === 0 && baseSeed !== undefined;
      const name = base ? `${baseSeed}-${p.architecture}` : `${seed}-${p.architecture}-${i}`;
      const tar = await tarOf(`data/${name}.bin`, seededBytes(name, base ? 32 << 10 : layerBytes));
      diffIds.push(`sha256:${createHash('sha256').update(tar).digest('hex')}`);
      ls.push(blob(OCI_LAYER_GZIP, gzipSync(tar, { level: 6 })));
    }
    const config = blob(OCI_CONFIG, Buffer.from(JSON.stringify({ architecture: p.architecture, os: p.os, config: { User: '65532' }, rootfs: { type: 'layers', diff_ids: diffIds } })));
    const manifest = blob(
      OCI_MANIFEST,
      Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: config.descriptor, layers: ls.map((l) => l.descriptor) })),
      platforms.length > 1 ? { platform: p } : {},
    );
    blobs.push(config, ...ls);
    manifests.push(manifest);
    entries.push(manifest.descriptor);
  }
  if (platforms.length === 1) return { top: manifests[0]!, manifests, blobs };
  const index = blob(OCI_INDEX, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: entries })));
  return { top: index, manifests: [index, ...manifests], blobs };
}

/** Pushes `image` to `repo` under `tag` with the product's client. */
export async function pushTestImage(client: RegistryClient, repo: Repo, tag: string, image: TestImage): Promise<void> {
  for (const b of image.blobs) {
    if (!(await client.hasBlob(repo, b.descriptor.digest))) await client.uploadBlob(repo, b.descriptor.digest, b.descriptor.size, Readable.from([b.bytes]));
  }
  // Children before the index that names them.
  for (const m of [...image.manifests].reverse()) {
    if (m === image.top) continue;
    await client.putManifest(repo, m.descriptor.digest, m.bytes, m.descriptor.mediaType);
  }
  await client.putManifest(repo, tag, image.top.bytes, image.top.descriptor.mediaType);
}
