/**
 * Image references as the distribution spec reads them:
 * `registry[:port]/repository[:tag][@sha256:…]`. The registry is always
 * written out (catalogs pin it), so no default registry is guessed.
 */
import { OciError } from './errors.js';

/** A parsed image reference. */
export interface ImageReference {
  /** Registry as written, `host[:port]` (e.g. `docker.io`, `127.0.0.1:5000`). */
  readonly registry: string;
  /** Repository path inside the registry, e.g. `cilium/cilium`. */
  readonly repository: string;
  readonly tag?: string;
  /** `sha256:<64 hex>`. */
  readonly digest?: string;
}

const REGISTRY = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?|\[[0-9a-fA-F:]+\])(?::[0-9]{1,5})?$/;
const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/** A sha256 digest as the spec writes it. */
export const SHA256_DIGEST = /^sha256:[0-9a-f]{64}$/;

/** Parses `text`; a reference without a registry, or with a bad part, is a `protocol` error naming it. */
export function parseReference(text: string): ImageReference {
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!SHA256_DIGEST.test(digest)) throw new OciError('protocol', `image reference ${text}: digest ${digest} is not sha256: and 64 lower-case hex characters`);
  }
  const slash = rest.indexOf('/');
  if (slash < 0) throw new OciError('protocol', `image reference ${text} names no registry: write it as registry/repository:tag (for Docker Hub, docker.io/library/${rest})`);
  const registry = rest.slice(0, slash);
  let repository = rest.slice(slash + 1);
  let tag: string | undefined;
  const colon = repository.lastIndexOf(':');
  if (colon >= 0) {
    tag = repository.slice(colon + 1);
    repository = repository.slice(0, colon);
    if (!TAG.test(tag)) throw new OciError('protocol', `image reference ${text}: tag ${tag} is not a valid tag`);
  }
  if (!REGISTRY.test(registry)) throw new OciError('protocol', `image reference ${text}: ${registry} is not a registry host[:port]`);
  if (!REPOSITORY.test(repository)) throw new OciError('protocol', `image reference ${text}: repository ${repository} is not a valid repository path (lower-case, separated by / . _ -)`);
  if (!tag && !digest) throw new OciError('protocol', `image reference ${text} has neither a tag nor a digest`);
  return { registry, repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** The reference as text: `registry/repository[:tag][@digest]`. */
export function formatReference(r: ImageReference): string {
  return `${r.registry}/${r.repository}${r.tag ? `:${r.tag}` : ''}${r.digest ? `@${r.digest}` : ''}`;
}

/**
 * Host the registry API is served from: Docker Hub's `docker.io` (and
 * `index.docker.io`) answer at `registry-1.docker.io`; every other registry
 * at its own name.
 */
export function apiHost(registry: string): string {
  return registry === 'docker.io' || registry === 'index.docker.io' ? 'registry-1.docker.io' : registry;
}

/** Whether `registry` is on the loopback interface (served over plain HTTP unless told otherwise, as Docker does). */
export function isLoopback(registry: string): boolean {
  const host = registry.replace(/:[0-9]+$/, '').replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
