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
  /**
   * The catalog's `registry/repository:tag` this image replaces, when a
   * profile's `imageOverrides` swapped it for another reference (a flavor):
   * registry, repository and digest are then the replacement's.
   */
  readonly replaces?: string;
}

/**
 * `registry/repository:tag` of the catalog, the key of an image in the lock,
 * in `imageOverrides` and in reports; a replaced image keeps the name of the
 * one it replaces.
 */
export function imageName(image: ImagePin | ImageSpec): string {
  return ('replaces' in image && image.replaces) || `${image.registry}/${image.repository}:${image.tag}`;
}

/** The reference a manifest uses: `registry/repository@sha256:…` when locked, `registry/repository:tag` otherwise. */
export function imageRef(image: ImageSpec): string {
  return image.digest ? `${image.registry}/${image.repository}@${image.digest}` : `${image.registry}/${image.repository}:${image.tag}`;
}

/** A full image reference taken apart: `host[:port]/path[:tag][@sha256:…]`. */
export interface ParsedReference {
  readonly registry: string;
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

const REFERENCE = /^([a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::[0-9]{1,5})?)\/([a-z0-9._/-]+?)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(sha256:[0-9a-f]{64}))?$/;

/** Parses a full reference; undefined when it is not one (no registry host, bad digest). */
export function parseReference(ref: string): ParsedReference | undefined {
  const m = REFERENCE.exec(ref);
  if (!m) return undefined;
  return { registry: m[1]!, repository: m[2]!, ...(m[3] ? { tag: m[3] } : {}), ...(m[4] ? { digest: m[4] } : {}) };
}

/**
 * `image` replaced by `reference` (a profile's image override): registry,
 * repository and digest from the replacement; the tag stays the catalog's
 * when the replacement names none (charts that write `tag@digest` keep a
 * readable version), and the name stays the catalog's.
 */
export function replaceImage(image: ImagePin, reference: string, source: string): ImageSpec {
  const r = parseReference(reference);
  if (!r) throw new Error(`image override ${JSON.stringify(reference)} is not a full reference host/repository[:tag][@sha256:<64 hex>]`);
  const { digest: _d, digestSource: _s, ...pin } = image as ImageSpec;
  return {
    ...pin,
    registry: r.registry,
    repository: r.repository,
    tag: r.tag ?? image.tag,
    ...(r.digest ? { digest: r.digest, digestSource: source } : {}),
    replaces: `${image.registry}/${image.repository}:${image.tag}`,
  };
}

/**
 * Repository of `image` in a site registry that mirrors every upstream one
 * (the air-gapped bundle's target): the upstream registry host becomes the
 * first path segment (`docker.io/istio/pilot`), as the mirror configuration
 * (host/registries.yaml) rewrites pulls.
 */
export function siteRepository(image: Pick<ImageSpec, 'registry' | 'repository'>): string {
  return `${sitePrefix(image.registry)}/${image.repository}`;
}

/** First path segment of a registry's images in the site registry (a port's `:` becomes `_`). */
export function sitePrefix(registry: string): string {
  return registry.replace(/:/g, '_');
}
