/**
 * `sovra lock`: resolves each image's tag to the digest its registry
 * serves (the manifest or index fetched by tag, its bytes hashed and
 * checked against `Docker-Content-Digest`) and records it in the image
 * lock with where it came from and when. An entry whose digest did not
 * change is kept as it was (its source, often a publication, says more
 * than a registry look-up).
 */
import type { ImageLockFile, LockedImage } from '../../constructs/kit/image-lock.js';
import type { ImagePin } from '../../constructs/kit/image.js';
import { imageName } from '../../constructs/kit/image.js';
import type { RegistryClient } from './client.js';
import { isOciError, OciError } from './errors.js';
import { limiter } from './limit.js';
import { apiHost } from './reference.js';

/** What happened to one image. */
export interface LockChange {
  readonly reference: string;
  /** `added` (not locked before), `changed` (another digest now), `unchanged`. */
  readonly status: 'added' | 'changed' | 'unchanged';
  readonly digest: string;
  readonly previous?: string;
  readonly mediaType: string;
}

/** An image that could not be resolved. */
export interface LockFailure {
  readonly reference: string;
  readonly error: OciError;
}

/** The result of resolving: the new lock file (when nothing failed), the changes and the failures. */
export interface LockResult {
  readonly file: ImageLockFile;
  readonly changes: readonly LockChange[];
  readonly failures: readonly LockFailure[];
}

/** Resolves `pins` (distinct by name) against their registries; `recordedAt` stamps new entries. */
export async function resolveLock(client: RegistryClient, pins: readonly ImagePin[], previous: ImageLockFile, recordedAt: string, concurrency = 4): Promise<LockResult> {
  const before = new Map(previous.images.map((i) => [i.reference, i]));
  const entries = new Map<string, LockedImage>(before);
  const changes: LockChange[] = [];
  const failures: LockFailure[] = [];
  const limit = limiter(concurrency);
  await Promise.all(
    pins.map((pin) =>
      limit(async () => {
        const reference = imageName(pin);
        try {
          const m = await client.getManifest({ registry: pin.registry, repository: pin.repository }, pin.tag);
          const old = before.get(reference);
          if (old && old.digest === m.digest) {
            changes.push({ reference, status: 'unchanged', digest: m.digest, mediaType: m.mediaType });
            return;
          }
          const url = `https://${apiHost(pin.registry)}/v2/${pin.repository}/manifests/${pin.tag}`;
          entries.set(reference, { reference, digest: m.digest, source: `registry ${url} served this ${m.mediaType} for the tag (bytes hashed by sovra lock, Docker-Content-Digest checked)`, recordedAt });
          changes.push({ reference, status: old ? 'changed' : 'added', digest: m.digest, ...(old ? { previous: old.digest } : {}), mediaType: m.mediaType });
        } catch (e) {
          if (!isOciError(e)) throw e;
          failures.push({ reference, error: e });
        }
      }),
    ),
  );
  const sort = <T extends { reference: string }>(a: T, b: T): number => (a.reference < b.reference ? -1 : a.reference > b.reference ? 1 : 0);
  return { file: { lockVersion: 1, images: [...entries.values()].sort(sort) }, changes: changes.sort(sort), failures: failures.sort(sort) };
}

/** The lock file's text: the shipped lock's layout (two-space JSON, entries by reference, final newline). */
export function lockText(file: ImageLockFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

export { OciError };
