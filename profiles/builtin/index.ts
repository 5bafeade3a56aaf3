/** The three built-in profiles (DESIGN.md, "Profiles"). */
import type { Profile } from '../profile.generated.js';

/** Single-node K3s for development: tags allowed, CPU inference, LOW baseline. */
export const dev: Profile = {
  name: 'dev',
  description: 'Single-node K3s for development: image tags allowed, CPU inference, 800-53 LOW baseline.',
  distribution: { kind: 'k3s', cisProfile: false, fips: false, nodes: 1 },
  baseline: 'LOW',
  airGapped: false,
  images: { requireDigest: false },
  replicas: { stateless: 1, stateful: 1 },
  highAvailability: false,
  gpu: { pools: [] },
  deploy: 'manifests',
  components: {
    nats: { fileStorage: '2Gi', memoryStorage: '256Mi' },
    'control-plane': { cpu: '500m', memory: '512Mi', localModel: { source: 'builtin' } },
    admission: { enforcement: 'warn' },
  },
};

/** Air-gapped single-node K3s at the edge: digests required, bundle registry mirror, MODERATE baseline. */
export const edge: Profile = {
  name: 'edge',
  description: 'Air-gapped single-node K3s at the edge: digest-pinned images from the bundle mirror, 800-53 MODERATE baseline.',
  distribution: { kind: 'k3s', cisProfile: false, fips: false, nodes: 1 },
  baseline: 'MODERATE',
  airGapped: true,
  images: { requireDigest: true, registryMirror: 'registry.sovra.local:5000' },
  replicas: { stateless: 1, stateful: 1 },
  highAvailability: false,
  gpu: { pools: [{ name: 'edge-gpu', product: 'L4', gpusPerNode: 1, nodes: 1 }] },
  deploy: 'k3s-auto-deploy',
  components: {
    nats: { fileStorage: '20Gi', memoryStorage: '512Mi' },
    'control-plane': { cpu: '1', memory: '1Gi', localModel: { source: 'builtin' } },
    admission: { enforcement: 'deny' },
  },
};

/** Multi-node RKE2 with CIS and FIPS, HA, GPU pools, HIGH baseline, installed with cdktf. */
export const cluster: Profile = {
  name: 'cluster',
  description: 'Multi-node RKE2 with CIS profile and FIPS, HA services, GPU node pools, 800-53 HIGH baseline, installed with cdktf.',
  distribution: { kind: 'rke2', cisProfile: true, fips: true, nodes: 3 },
  baseline: 'HIGH',
  airGapped: false,
  images: { requireDigest: true },
  replicas: { stateless: 3, stateful: 3 },
  highAvailability: true,
  gpu: { pools: [{ name: 'inference', product: 'H100', gpusPerNode: 8, nodes: 2 }] },
  deploy: 'cdktf',
  components: {
    nats: { fileStorage: '100Gi', memoryStorage: '2Gi' },
    'control-plane': { cpu: '2', memory: '2Gi', localModel: { source: 'builtin' } },
    admission: { enforcement: 'deny' },
  },
};

/** Built-in profiles by name. */
export const BUILTIN_PROFILES: Readonly<Record<'dev' | 'edge' | 'cluster', Profile>> = { dev, edge, cluster };
