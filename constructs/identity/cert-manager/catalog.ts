/**
 * cert-manager and trust-manager pins: the one place their chart versions
 * and image versions live.
 *
 * Chart digests: neither is pinned. charts.jetstack.io is not a published
 * index Sovra holds a copy of; the cert-manager v1.21.1 archive digest
 * (sha256:c27101f3…, ../shared/charts/cert-manager/_pub) is corroborated only
 * by third-party repositories, which is not the publisher's word, and no
 * trust-manager v0.24.0 digest was found at all. Both are installed by
 * version until a site records the digests it verified.
 *
 * Image digests: neither chart pins its images by digest (values.yaml only
 * names the tag through `.Chart.AppVersion`), so the images are unlocked:
 * the synth renders them by tag and reports them, and `sovra verify
 * --require-locked` refuses them until a site's lock records their digests.
 */
import type { ImagePin } from '../../kit/image.js';

const CERT_MANAGER_SOURCE = 'cert-manager chart v1.21.1 (cert-manager/cert-manager tag v1.21.1, commit 24e33194; templates default every image tag to .Chart.AppVersion v1.21.1)';
const TRUST_MANAGER_SOURCE = 'trust-manager chart v0.24.0 (cert-manager/trust-manager tag v0.24.0, commit 75590d07; the manager image tag defaults to .Chart.AppVersion v0.24.0)';

/** cert-manager's chart. Archive digest not pinned: only third-party corroborated (see the file comment). */
export const CERT_MANAGER_CHART = {
  repository: 'https://charts.jetstack.io',
  chart: 'cert-manager',
  version: 'v1.21.1',
  license: 'Apache-2.0',
  source: CERT_MANAGER_SOURCE,
} as const;

/** trust-manager's chart. No published archive digest found. */
export const TRUST_MANAGER_CHART = {
  repository: 'https://charts.jetstack.io',
  chart: 'trust-manager',
  version: 'v0.24.0',
  license: 'Apache-2.0',
  source: TRUST_MANAGER_SOURCE,
} as const;

/**
 * Images the two charts run with the values Sovra writes. Not here on
 * purpose: cert-manager's startupapicheck (its Job is disabled), its ACME
 * HTTP-01 solver (named in a controller flag, but the ACME controllers that
 * would start it are disabled) and trust-manager's Debian CA package (the
 * default package of public roots is disabled).
 */
export const CERT_MANAGER_IMAGES = {
  controller: { registry: 'quay.io', repository: 'jetstack/cert-manager-controller', tag: 'v1.21.1', license: 'Apache-2.0', source: CERT_MANAGER_SOURCE },
  webhook: { registry: 'quay.io', repository: 'jetstack/cert-manager-webhook', tag: 'v1.21.1', license: 'Apache-2.0', source: CERT_MANAGER_SOURCE },
  cainjector: { registry: 'quay.io', repository: 'jetstack/cert-manager-cainjector', tag: 'v1.21.1', license: 'Apache-2.0', source: CERT_MANAGER_SOURCE },
  trustManager: { registry: 'quay.io', repository: 'jetstack/trust-manager', tag: 'v0.24.0', license: 'Apache-2.0', source: TRUST_MANAGER_SOURCE },
} as const satisfies Record<string, ImagePin>;
