/**
 * The image lock: for each image reference (`registry/repository:tag`),
 * the digest it resolves to and where that digest came from. Catalogs pin
 * versions; the lock pins bits. Digests are only those an upstream
 * published (a chart's values at a release, a registry's manifest) or
 * computed from bytes (images Sovra builds).
 */
import { readFileSync } from 'node:fs';
import { SovraError } from '../../core/errors.js';
import { shipped } from '../../core/paths.js';
import { imageName, type ImagePin, type ImageSpec } from './image.js';

/** One locked image. */
export interface LockedImage {
  /** `registry/repository:tag`. */
  readonly reference: string;
  /** `sha256:<64 hex>`. */
  readonly digest: string;
  /** Where the digest was published or how it was computed. */
  readonly source: string;
  /** When it was recorded (ISO 8601 date or date-time). */
  readonly recordedAt: string;
}

/** The lock file's content. */
export interface ImageLockFile {
  readonly lockVersion: 1;
  readonly images: readonly LockedImage[];
}

/** Path of the lock Sovra ships, relative to the package root. */
export const IMAGE_LOCK_FILE = 'images.lock.json';

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const REFERENCE = /^[a-z0-9.-]+(:[0-9]+)?\/[a-z0-9._/-]+:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** A parsed, checked lock: digests by image reference. */
export class ImageLock {
  private readonly byRef: ReadonlyMap<string, LockedImage>;

  constructor(
    readonly file: ImageLockFile,
    /** Where the lock was read from, for messages. */
    readonly origin: string,
  ) {
    this.byRef = new Map(file.images.map((i) => [i.reference, i]));
  }

  /** Parses and checks `text`; a malformed lock is a `bad-input` error naming the entry. */
  static parse(text: string, origin: string): ImageLock {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw new SovraError('bad-input', `image lock ${origin} is not JSON: ${(e as Error).message}`);
    }
    const d = doc as Partial<ImageLockFile>;
    if (d === null || typeof d !== 'object' || d.lockVersion !== 1 || !Array.isArray(d.images)) {
      throw new SovraError('bad-input', `image lock ${origin}: expected {"lockVersion": 1, "images": [...]}.`);
    }
    const seen = new Set<string>();
    d.images.forEach((i: Partial<LockedImage>, n) => {
      const where = `image lock ${origin}, images[${n}]`;
      if (typeof i.reference !== 'string' || !REFERENCE.test(i.reference)) throw new SovraError('bad-input', `${where}: reference ${JSON.stringify(i.reference)} is not registry/repository:tag.`);
      if (typeof i.digest !== 'string' || !DIGEST.test(i.digest)) throw new SovraError('bad-input', `${where} (${i.reference}): digest ${JSON.stringify(i.digest)} is not "sha256:" and 64 lower-case hex characters.`);
      if (typeof i.source !== 'string' || i.source.trim() === '') throw new SovraError('bad-input', `${where} (${i.reference}): source is missing; say where the digest was published or how it was computed.`);
      if (typeof i.recordedAt !== 'string' || Number.isNaN(Date.parse(i.recordedAt))) throw new SovraError('bad-input', `${where} (${i.reference}): recordedAt ${JSON.stringify(i.recordedAt)} is not an ISO 8601 date.`);
      if (seen.has(i.reference)) throw new SovraError('bad-input', `${where}: ${i.reference} is locked twice.`);
      seen.add(i.reference);
    });
    return new ImageLock(d as ImageLockFile, origin);
  }

  /** The lock Sovra ships. */
  static shipped(): ImageLock {
    return ImageLock.parse(readFileSync(shipped(IMAGE_LOCK_FILE), 'utf8'), IMAGE_LOCK_FILE);
  }

  /** An empty lock (every image unlocked). */
  static empty(): ImageLock {
    return new ImageLock({ lockVersion: 1, images: [] }, '(none)');
  }

  /** The lock entry of `pin`, if any. */
  entry(pin: ImagePin): LockedImage | undefined {
    return this.byRef.get(imageName(pin));
  }

  /** `pin` with its locked digest, if the lock has one. */
  resolve(pin: ImagePin): ImageSpec {
    // A digest can only come from the lock: one slipped into a pin is dropped.
    const { digest: _digest, digestSource: _source, ...rest } = pin as ImageSpec;
    const e = this.entry(rest);
    return e ? { ...rest, digest: e.digest, digestSource: e.source } : rest;
  }
}
