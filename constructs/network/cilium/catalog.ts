/**
 * Cilium pins: the one place its chart version and image digests live.
 * Digests are those of the chart 1.16.6 values.yaml (`cilium/cilium`,
 * install/kubernetes/cilium/values.yaml at v1.16.6).
 */
import type { ImageSpec } from '../../kit/image.js';

const SOURCE = 'cilium/cilium v1.16.6 install/kubernetes/cilium/values.yaml';

/** Chart coordinates. The archive digest is not pinned yet: the repository index was not available offline. */
export const CILIUM_CHART = {
  repository: 'https://helm.cilium.io',
  chart: 'cilium',
  version: '1.16.6',
  license: 'Apache-2.0',
  source: SOURCE,
} as const;

/** Images the chart runs with the values Sovra sets. */
export const CILIUM_IMAGES = {
  agent: { registry: 'quay.io', repository: 'cilium/cilium', tag: 'v1.16.6', digest: 'sha256:1e0896b1c4c188b4812c7e0bed7ec3f5631388ca88325c1391a0ef9172c448da', license: 'Apache-2.0', source: SOURCE },
  operator: { registry: 'quay.io', repository: 'cilium/operator-generic', tag: 'v1.16.6', digest: 'sha256:13d32071d5a52c069fb7c35959a56009c6914439adc73e99e098917646d154fc', license: 'Apache-2.0', source: SOURCE },
  hubbleRelay: { registry: 'quay.io', repository: 'cilium/hubble-relay', tag: 'v1.16.6', digest: 'sha256:ca8dcaa5a81a37743b1397ba2221d16d5d63e4a47607584f1bf50a3b0882bf3b', license: 'Apache-2.0', source: SOURCE },
  envoy: { registry: 'quay.io', repository: 'cilium/cilium-envoy', tag: 'v1.30.9-1737073743-40a016d11c0d863b772961ed0168eea6fe6b10a5', digest: 'sha256:a69dfe0e54b24b0ff747385c8feeae0612cfbcae97bfcc8ee42a773bb3f69c88', license: 'Apache-2.0', source: SOURCE },
} as const satisfies Record<string, ImageSpec>;
