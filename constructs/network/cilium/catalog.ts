/**
 * Cilium pins: the one place its chart version and image versions live.
 * Versions are those of the chart 1.20.0 values.yaml; their digests are in
 * the image lock (images.lock.json), taken from the same published file.
 */
import type { ImagePin } from '../../kit/image.js';

const SOURCE = 'cilium chart 1.20.0 values.yaml (published archive https://helm.cilium.io/cilium-1.20.0.tgz)';

/** Chart coordinates; the digest is the archive's SHA-256 as the repository index lists it. */
export const CILIUM_CHART = {
  repository: 'https://helm.cilium.io/',
  chart: 'cilium',
  version: '1.20.0',
  digest: 'sha256:c5f013912360d1a334f44ef25f36da59ba3414cdb48f466ee12d0c4fdff27883',
  license: 'Apache-2.0',
  source: SOURCE,
} as const;

/** Images the chart runs with the values Sovra sets. */
export const CILIUM_IMAGES = {
  agent: { registry: 'quay.io', repository: 'cilium/cilium', tag: 'v1.20.0', license: 'Apache-2.0', source: SOURCE },
  operator: { registry: 'quay.io', repository: 'cilium/operator-generic', tag: 'v1.20.0', license: 'Apache-2.0', source: SOURCE },
  hubbleRelay: { registry: 'quay.io', repository: 'cilium/hubble-relay', tag: 'v1.20.0', license: 'Apache-2.0', source: SOURCE },
  envoy: { registry: 'quay.io', repository: 'cilium/cilium-envoy', tag: 'v1.37.5-1782911245-7cffc778c923f68a77954a53b1a98d6b5353f004', license: 'Apache-2.0', source: SOURCE },
  // Runs as the CronJob that issues Hubble's TLS certificates (hubble.tls.auto.method: cronJob).
  certgen: { registry: 'quay.io', repository: 'cilium/certgen', tag: 'v0.4.8', license: 'Apache-2.0', source: SOURCE },
} as const satisfies Record<string, ImagePin>;

/**
 * Where Cilium writes its CNI configuration and installs its plugin on the
 * nodes (the chart's `cni.confPath` and `cni.binPath` defaults). A chained
 * plugin (istio-cni) must use the same directories.
 */
export const CILIUM_CNI_PATHS = { confDir: '/etc/cni/net.d', binDir: '/opt/cni/bin' } as const;
