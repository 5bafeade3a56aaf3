/**
 * Container images, declared once per component and read by every view.
 * A catalog pins an image by registry, repository and tag; its digest comes
 * from the image lock (images.lock.json), the one place digests are
 * recorded, each with where it was published. A locked image is rendered by
 * digest, an unlocked one by tag, and the SBOM says which is which.
 */

/** An image as a component's catalog pins it: by tag, never by digest. */
export interface ImagePin {
  /** Registry host, e.g. `quay.io`. */
  readonly registry: string;
  /** Repository path, e.g. `cilium/cilium`. */
  readonly repository: string;
  readonly tag: string;
  /** SPDX license expression of the software in the image. */
  readonly license: string;
  /** Where the pin (version) was taken from (release notes, chart values at a tag). */
  readonly source?: string;
  /**
   * npm lockfile shipped with Sovra (path relative to the package root) whose
   * production dependency tree the image contains; the SBOM lists that tree
   * as the image's dependencies.
   */
  readonly npmLockfile?: string;
  /**
   * Why no digest of this image is known offline, when the reason is more
   * than "the upstream publishes tags only" (for example: an operator pins
   * it in a release payload Sovra cannot read). The SBOM and the synth's
   * report of unlocked images carry it while the image is unlocked.
   */
  readonly unlockedReason?: string;
}

/** An image as every view sees it: the pin, and its digest when the lock has one. */
export interface ImageSpec extends ImagePin {
  /** `sha256:<64 hex>` from the image lock; absent when the image is not locked. */
  readonly digest?: string;
  /** Where the locked digest was published or computed (from the lock). */
  readonly digestSource?: string;
}

/** `registry/repository:tag`, the key of an image in the lock and in reports. */
export function imageName(image: ImagePin): string {
  return `${image.registry}/${image.repository}:${image.tag}`;
}

/** The reference a manifest uses: `registry/repository@sha256:…` when locked, `registry/repository:tag` otherwise. */
export function imageRef(image: ImageSpec): string {
  return image.digest ? `${image.registry}/${image.repository}@${image.digest}` : imageName(image);
}
