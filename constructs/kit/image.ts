/** Container image references, declared once per component and read by every view. */
import { SovraError } from '../../core/errors.js';

/** An image as its component's catalog entry declares it. */
export interface ImageSpec {
  /** Registry host, e.g. `quay.io`. */
  readonly registry: string;
  /** Repository path, e.g. `cilium/cilium`. */
  readonly repository: string;
  readonly tag: string;
  /** `sha256:<64 hex>`; required on profiles whose image policy demands digests. */
  readonly digest?: string;
  /** SPDX license expression of the software in the image. */
  readonly license: string;
  /** Where the pin was taken from (release notes, chart values at a tag). */
  readonly source?: string;
  /**
   * npm lockfile shipped with Sovra (path relative to the package root) whose
   * production dependency tree the image contains; the SBOM lists that tree
   * as the image's dependencies.
   */
  readonly npmLockfile?: string;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** `registry/repository:tag@digest` (digest omitted when absent). */
export function imageRef(image: ImageSpec): string {
  return `${image.registry}/${image.repository}:${image.tag}${image.digest ? `@${image.digest}` : ''}`;
}

/** Checks the shape of an image spec and, when `requireDigest`, that it is pinned. */
export function checkImage(image: ImageSpec, owner: string, requireDigest: boolean, profile: string): void {
  if (image.digest !== undefined && !DIGEST.test(image.digest)) {
    throw new SovraError('bad-input', `${owner}: image ${imageRef(image)} has a malformed digest "${image.digest}"; expected "sha256:" and 64 lower-case hex characters.`);
  }
  if (requireDigest && image.digest === undefined) {
    throw new SovraError('bad-input', `${owner}: image ${imageRef(image)} is not pinned by digest, and profile "${profile}" requires digests (images.requireDigest). Add its sha256 digest to the component's catalog entry.`);
  }
}

/** Package URL (purl) of an OCI image: `pkg:oci/<name>@sha256:…?repository_url=…&tag=…`. */
export function imagePurl(image: ImageSpec): string {
  const name = image.repository.split('/').pop()!;
  const repositoryUrl = `${image.registry}/${image.repository}`;
  const version = image.digest ? `@${encodeURIComponent(image.digest)}` : '';
  return `pkg:oci/${name}${version}?repository_url=${encodeURIComponent(repositoryUrl)}&tag=${encodeURIComponent(image.tag)}`;
}
