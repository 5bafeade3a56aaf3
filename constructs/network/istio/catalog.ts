/**
 * Istio pins: the one place its chart versions and image versions live.
 * The charts are the istio/istio tag 1.30.3 (manifests/charts) made
 * release-like as Istio's release tooling does (../shared/charts/istio/NOTES.txt);
 * the published archives live at a non-GitHub address whose index was not
 * available offline, so no chart digest is pinned. No image digest was
 * published with them either: the images are unlocked until a site's lock
 * records them.
 */
import type { ImagePin } from '../../kit/image.js';

const SOURCE = 'istio/istio tag 1.30.3 (56df41f6), manifests/charts, values as released: global.hub docker.io/istio, global.tag 1.30.3';
const REPOSITORY = 'https://istio-release.storage.googleapis.com/charts';
const VERSION = '1.30.3';

/** Chart coordinates by role; `chart` is the name the repository publishes (each Chart.yaml's `name`). */
export const ISTIO_CHARTS = {
  /** CRDs and the default-revision validation webhook. */
  base: { repository: REPOSITORY, chart: 'base', version: VERSION, license: 'Apache-2.0', source: SOURCE },
  /** istiod: configuration, certificates (the mesh CA) and sidecar injection. */
  istiod: { repository: REPOSITORY, chart: 'istiod', version: VERSION, license: 'Apache-2.0', source: SOURCE },
  /** The node agent that sets up traffic redirection for meshed pods (no NET_ADMIN in the pods). */
  cni: { repository: REPOSITORY, chart: 'cni', version: VERSION, license: 'Apache-2.0', source: SOURCE },
  /** Per-node L4 proxy of the ambient data plane. */
  ztunnel: { repository: REPOSITORY, chart: 'ztunnel', version: VERSION, license: 'Apache-2.0', source: SOURCE },
  /** An Envoy gateway deployment (the ingress gateway). */
  gateway: { repository: REPOSITORY, chart: 'gateway', version: VERSION, license: 'Apache-2.0', source: SOURCE },
} as const;

/** Images the charts run (by `global.hub` and `global.tag`) and the proxy image istiod injects. */
export const ISTIO_IMAGES = {
  pilot: { registry: 'docker.io', repository: 'istio/pilot', tag: VERSION, license: 'Apache-2.0', source: SOURCE },
  /** Envoy with pilot-agent: every sidecar and the ingress gateway (injected by istiod, the chart renders `image: auto`). */
  proxy: { registry: 'docker.io', repository: 'istio/proxyv2', tag: VERSION, license: 'Apache-2.0', source: SOURCE },
  installCni: { registry: 'docker.io', repository: 'istio/install-cni', tag: VERSION, license: 'Apache-2.0', source: SOURCE },
  ztunnel: { registry: 'docker.io', repository: 'istio/ztunnel', tag: VERSION, license: 'Apache-2.0', source: SOURCE },
} as const satisfies Record<string, ImagePin>;
