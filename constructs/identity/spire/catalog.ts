/**
 * SPIRE pins: the one place its chart versions and image versions live.
 * Versions are those of the spire chart 0.30.0 (spiffe/helm-charts-hardened
 * tag spire-0.30.0, commit 029f1985): each image tag is the `appVersion` of
 * the subchart that runs it, or the tag its values.yaml sets. The chart
 * digests are the SHA-256 the repository index lists for the published
 * archives. Image digests are in the image lock (images.lock.json) only where
 * the chart's values publish one (chainguard/bash); the others are unlocked
 * until `sovra lock` or a site's lock records them.
 */
import type { ImagePin } from '../../kit/image.js';

const TAG = 'spiffe/helm-charts-hardened tag spire-0.30.0 (commit 029f1985)';

/** The spire chart (server, agents, CSI driver, controller manager). */
export const SPIRE_CHART = {
  repository: 'https://spiffe.github.io/helm-charts-hardened/',
  chart: 'spire',
  version: '0.30.0',
  digest: 'sha256:8e133a142915f4938328e2524f6262607e41f61e06f15cb06dc3d94f018be341',
  license: 'Apache-2.0',
  source: `${TAG}; digest from the repository index entry of spire 0.30.0 (https://github.com/spiffe/helm-charts-hardened/releases/download/spire-0.30.0/spire-0.30.0.tgz)`,
} as const;

/** The spire-crds chart: ClusterSPIFFEID, ClusterStaticEntry, ClusterFederatedTrustDomain. */
export const SPIRE_CRDS_CHART = {
  repository: 'https://spiffe.github.io/helm-charts-hardened/',
  chart: 'spire-crds',
  version: '0.6.0',
  digest: 'sha256:e561d54dd2247552937f90c11e62a828ffcd85456a1b43162691500223bcac07',
  license: 'Apache-2.0',
  source: `${TAG}; digest from the repository index entry of spire-crds 0.6.0 (https://github.com/spiffe/helm-charts-hardened/releases/download/spire-crds-0.6.0/spire-crds-0.6.0.tgz)`,
} as const;

/** Images the chart runs with the values Sovra sets (OIDC discovery provider, Tornjak, SPIKE, kubectl hooks and host-cert gathering are off). */
export const SPIRE_IMAGES = {
  server: { registry: 'ghcr.io', repository: 'spiffe/spire-server', tag: '1.15.2', license: 'Apache-2.0', source: `${TAG}, charts/spire-server/Chart.yaml appVersion` },
  agent: { registry: 'ghcr.io', repository: 'spiffe/spire-agent', tag: '1.15.2', license: 'Apache-2.0', source: `${TAG}, charts/spire-agent/Chart.yaml appVersion` },
  controllerManager: { registry: 'ghcr.io', repository: 'spiffe/spire-controller-manager', tag: '0.7.0', license: 'Apache-2.0', source: `${TAG}, charts/spire-server/values.yaml controllerManager.image.tag` },
  csiDriver: { registry: 'ghcr.io', repository: 'spiffe/spiffe-csi-driver', tag: '0.2.7', license: 'Apache-2.0', source: `${TAG}, charts/spiffe-csi-driver/Chart.yaml appVersion` },
  nodeDriverRegistrar: {
    registry: 'registry.k8s.io',
    repository: 'sig-storage/csi-node-driver-registrar',
    tag: 'v2.15.0',
    license: 'Apache-2.0',
    source: `${TAG}, charts/spiffe-csi-driver/values.yaml nodeDriverRegistrar.image.tag`,
  },
  // Runs the agent's two root init steps (socket alias links and the chown of its host directories) and the chart's `helm test` Pod.
  bash: {
    registry: 'cgr.dev',
    repository: 'chainguard/bash',
    tag: 'latest',
    license: 'GPL-3.0-or-later',
    source: `${TAG}, charts/spire-agent/values.yaml fsGroupFix.image.tag and socketAlternate.image.tag (latest@sha256:90041f37…, the digest is in the image lock)`,
  },
} as const satisfies Record<string, ImagePin>;
