/** The three built-in profiles (DESIGN.md, "Profiles"). */
import type { LicenseWaiver, Profile } from '../profile.generated.js';
import { minioLicenseWaivers } from '../../constructs/data/object-store/license.js';
import { lokiLicenseWaivers } from '../../constructs/observability/logs/license.js';
import { tempoLicenseWaivers } from '../../constructs/observability/traces/license.js';
import { organizationalResponsibilities } from './responsibilities.js';

/**
 * Grafana (component monitoring) is AGPL-3.0: the license policy flags it until a review is recorded.
 * The bom-ref names the image by tag; when images.lock.json gains its digest, the bom-ref gains `@sha256:…` and this must follow.
 */
/** Prometheus stays out of the mesh on every profile that turns it on (README, Monitoring: meshed targets). */
const MONITORING_OUTSIDE_MESH = {
  component: 'monitoring',
  reason:
    'Prometheus scrapes pods by IP, which a sidecar would not wrap in mTLS (PodMonitors cannot carry the proxy certificates); scrapes reach metrics ports as port-level plaintext exceptions, still limited to Prometheus by NetworkPolicy',
};

const GRAFANA_WAIVER: LicenseWaiver = {
  component: 'image:docker.io/grafana/grafana:13.2.0',
  license: 'AGPL-3.0-only',
  reason:
    'Grafana runs unmodified as an internal dashboard behind Keycloak login; Sovra neither modifies nor links it, so the AGPL network clause obliges only offering the unmodified upstream source, which is public. Sites whose policy forbids AGPL remove the waiver and replace the dashboards.',
  approvedBy: 'Sovra platform engineering (observability review, issue 15)',
};

/** Single-node K3s for development: tags allowed, CPU inference, LOW baseline. */
export const dev: Profile = {
  name: 'dev',
  description: 'Single-node K3s for development: image tags allowed, CPU inference, 800-53 LOW baseline.',
  distribution: { kind: 'k3s', cisProfile: false, fips: false, nodes: 1 },
  baseline: 'LOW',
  // Planned, customer responsibility, until the site states otherwise (profiles/builtin/responsibilities.ts).
  responsibilities: organizationalResponsibilities('LOW'),
  leveragedAuthorizations: [],
  airGapped: false,
  images: { requireDigest: false },
  replicas: { stateless: 1, stateful: 1 },
  highAvailability: false,
  gpu: { pools: [] },
  deploy: 'manifests',
  // MinIO (object-store mode minio), Grafana (monitoring), Loki (logs) and Tempo (traces) are AGPL-3.0: waived with the reviews' reasons.
  licenseWaivers: [...minioLicenseWaivers(), GRAFANA_WAIVER, ...lokiLicenseWaivers(), ...tempoLicenseWaivers()],
  components: {
    'cert-manager': { platformIssuer: 'internal-ca' },
    nats: { fileStorage: '2Gi', memoryStorage: '256Mi' },
    'control-plane': { cpu: '500m', memory: '512Mi', databaseStorage: '5Gi', localModel: { source: 'builtin' } },
    'object-store': { mode: 'minio', servers: 1, volumesPerServer: 1, volumeSize: '10Gi', cpu: '250m', memory: '512Mi' },
    postgres: { operator: { cpu: '100m', memory: '256Mi' }, instance: { cpu: '500m', memory: '512Mi' }, backup: { enabled: false } },
    openbao: { storage: '1Gi', cpu: '250m', memory: '256Mi', pki: false, seal: { type: 'static', static: { keyId: 'sovra-dev-1' } } },
    spire: { trustDomain: 'dev.sovra.local', caKeyType: 'ec-p256', caTTL: '24h', x509SvidTTL: '1h', jwtSvidTTL: '5m', caSubject: { country: 'XX', organization: 'Sovra' } },
    keycloak: {
      cpu: '500m',
      memory: '1Gi',
      databaseStorage: '2Gi',
      mfaRequired: false,
      sessions: { accessTokenMinutes: 5, idleMinutes: 30, maxHours: 10 },
      publicClients: [{ clientId: 'sovra-console', redirectUris: ['https://console.sovra.local/callback'], webOrigins: ['https://console.sovra.local'] }],
    },
    // The mesh is off on dev: a laptop cluster without sidecars stays small and quick to start.
    istio: { enabled: false, mode: 'sidecar', gateway: { hosts: ['api.sovra.internal'] }, outsideMesh: [MONITORING_OUTSIDE_MESH] },
    // No GPU pools on dev: the GPU Operator is not installed; these settings only apply to derived profiles that add a pool.
    'gpu-operator': { driver: 'preinstalled', migStrategy: 'none', dcgmExporter: true },
    vllm: {},
    kserve: { models: [] },
    admission: { enforcement: 'warn' },
    // Off on dev (a laptop cluster needs no in-cluster CI gate); a derived profile turns it on with the same settings as edge.
    tekton: { enabled: false, apply: true, chains: { ociRepository: 'registry.sovra.local/sovra/attestations' } },
    monitoring: { retention: '24h', storage: '5Gi', cpu: '500m', memory: '1Gi', grafana: { rootUrl: 'https://grafana.sovra.local', adminGroup: 'platform-admins' } },
    logs: { enabled: true, retention: '7d', auditRetention: '30d', storage: 'filesystem', volumeSize: '5Gi', cpu: '250m', memory: '512Mi', collector: { cpu: '100m', memory: '256Mi' } },
    traces: { enabled: true, retention: '72h', storage: 'filesystem', volumeSize: '5Gi', cpu: '250m', memory: '512Mi', collector: { cpu: '100m', memory: '256Mi' } },
  },
};

/** Air-gapped single-node K3s at the edge: digests required, bundle registry mirror, MODERATE baseline. */
export const edge: Profile = {
  name: 'edge',
  description: 'Air-gapped single-node K3s at the edge: digest-pinned images from the bundle mirror, 800-53 MODERATE baseline.',
  distribution: { kind: 'k3s', cisProfile: false, fips: false, nodes: 1 },
  baseline: 'MODERATE',
  // Planned, customer responsibility, until the site states otherwise (profiles/builtin/responsibilities.ts).
  responsibilities: organizationalResponsibilities('MODERATE'),
  leveragedAuthorizations: [],
  airGapped: true,
  images: { requireDigest: true, registryMirror: 'registry.sovra.local:5000' },
  replicas: { stateless: 1, stateful: 1 },
  highAvailability: false,
  gpu: { pools: [{ name: 'edge-gpu', product: 'L4', gpusPerNode: 1, nodes: 1 }] },
  deploy: 'k3s-auto-deploy',
  // MinIO (object-store mode minio), Grafana (monitoring), Loki (logs) and Tempo (traces) are AGPL-3.0: waived with the reviews' reasons.
  licenseWaivers: [...minioLicenseWaivers(), GRAFANA_WAIVER, ...lokiLicenseWaivers(), ...tempoLicenseWaivers()],
  components: {
    'cert-manager': { platformIssuer: 'internal-ca' },
    nats: { fileStorage: '20Gi', memoryStorage: '512Mi' },
    'control-plane': { cpu: '1', memory: '1Gi', databaseStorage: '20Gi', localModel: { source: 'builtin' } },
    // One server, four volumes: erasure coding survives the loss of a volume on the single node.
    'object-store': { mode: 'minio', servers: 1, volumesPerServer: 4, volumeSize: '50Gi', cpu: '1', memory: '2Gi' },
    postgres: { operator: { cpu: '100m', memory: '256Mi' }, instance: { cpu: '1', memory: '1Gi' }, backup: { enabled: false } },
    // Static seal: the edge box unseals itself after a power cut; its risk is stated in the README and the SSP.
    openbao: { storage: '5Gi', cpu: '500m', memory: '512Mi', pki: false, seal: { type: 'static', static: { keyId: 'sovra-edge-1' } } },
    spire: { trustDomain: 'edge.sovra.local', caKeyType: 'ec-p256', caTTL: '24h', x509SvidTTL: '1h', jwtSvidTTL: '5m', caSubject: { country: 'XX', organization: 'Sovra' } },
    keycloak: {
      cpu: '1',
      memory: '1Gi',
      databaseStorage: '10Gi',
      mfaRequired: true,
      sessions: { accessTokenMinutes: 5, idleMinutes: 15, maxHours: 10 },
      publicClients: [{ clientId: 'sovra-console', redirectUris: ['https://console.sovra.local/callback'], webOrigins: ['https://console.sovra.local'] }],
    },
    istio: { enabled: true, mode: 'sidecar', gateway: { hosts: ['api.sovra.internal'] }, outsideMesh: [MONITORING_OUTSIDE_MESH] },
    // Air-gapped: the driver comes with the host's OS image (no driver container to fetch or build); one whole L4, no MIG.
    'gpu-operator': { driver: 'preinstalled', migStrategy: 'none', dcgmExporter: true },
    // A small model on the one L4 (24 GB): Qwen2.5 1.5B Instruct in bf16 (about 3 GB) leaves room for the KV cache.
    // No file digests are known offline: the site supplies them at install (README, vLLM) and the server refuses to start without them.
    vllm: {
      // pool: the first of gpu.pools (edge-gpu), so a site profile that renames its pool keeps vLLM on it.
      replicas: 1,
      tensorParallelSize: 1,
      cpu: '4',
      memory: '16Gi',
      sharedMemory: '2Gi',
      maxModelLen: 8192,
      model: { name: 'qwen2.5-1.5b-instruct', version: '2.5', license: 'Apache-2.0', source: 'https://huggingface.co/Qwen/Qwen2.5-1.5B-Instruct', format: 'safetensors' },
      weights: { claimName: 'vllm-models', size: '20Gi' },
    },
    // The edge box's one L4 serves the LLM: no predictive models, so KServe is not installed.
    kserve: { models: [] },
    admission: { enforcement: 'deny' },
    // The in-cluster CI gate: outputs are verified, then applied; Chains pushes to the bundle's registry mirror.
    tekton: { enabled: true, apply: true, chains: { ociRepository: 'registry.sovra.local:5000/sovra/attestations' } },
    monitoring: { retention: '7d', retentionSize: '15GB', storage: '20Gi', cpu: '1', memory: '2Gi', grafana: { rootUrl: 'https://grafana.sovra.local', adminGroup: 'platform-admins' } },
    // One node: Loki and Tempo on their volumes; audit records kept 90 days on the box.
    logs: { enabled: true, retention: '31d', auditRetention: '90d', storage: 'filesystem', volumeSize: '50Gi', cpu: '1', memory: '2Gi', collector: { cpu: '200m', memory: '256Mi' } },
    traces: { enabled: true, retention: '168h', storage: 'filesystem', volumeSize: '20Gi', cpu: '500m', memory: '1Gi', collector: { cpu: '200m', memory: '256Mi' } },
  },
};

/** Multi-node RKE2 with CIS and FIPS, HA, GPU pools, HIGH baseline, installed with cdktf. */
export const cluster: Profile = {
  name: 'cluster',
  description: 'Multi-node RKE2 with CIS profile and FIPS, HA services, GPU node pools, 800-53 HIGH baseline, installed with cdktf.',
  distribution: { kind: 'rke2', cisProfile: true, fips: true, nodes: 3 },
  baseline: 'HIGH',
  // Planned, customer responsibility, until the site states otherwise (profiles/builtin/responsibilities.ts).
  responsibilities: organizationalResponsibilities('HIGH'),
  leveragedAuthorizations: [],
  airGapped: false,
  images: { requireDigest: true },
  replicas: { stateless: 3, stateful: 3 },
  highAvailability: true,
  // LLM serving (vLLM, tensor parallel 8 per node) and vision (KServe/Triton) on pools of their own.
  gpu: {
    pools: [
      { name: 'inference', product: 'H100', gpusPerNode: 8, nodes: 2 },
      { name: 'vision', product: 'L40S', gpusPerNode: 1, nodes: 2 },
    ],
  },
  deploy: 'cdktf',
  // MinIO (object-store mode minio), Grafana (monitoring), Loki (logs) and Tempo (traces) are AGPL-3.0: waived with the reviews' reasons.
  licenseWaivers: [...minioLicenseWaivers(), GRAFANA_WAIVER, ...lokiLicenseWaivers(), ...tempoLicenseWaivers()],
  components: {
    'cert-manager': { platformIssuer: 'openbao-pki' },
    nats: { fileStorage: '100Gi', memoryStorage: '2Gi' },
    'control-plane': { cpu: '2', memory: '2Gi', databaseStorage: '100Gi', localModel: { source: 'builtin' } },
    'object-store': { mode: 'minio', servers: 4, volumesPerServer: 2, volumeSize: '200Gi', cpu: '2', memory: '8Gi' },
    postgres: { operator: { cpu: '200m', memory: '512Mi' }, instance: { cpu: '2', memory: '4Gi' }, backup: { enabled: false } },
    // Shamir: key holders unseal every server by hand (README, OpenBao runbook); OpenBao's PKI issues the platform's certificates.
    openbao: { storage: '20Gi', cpu: '1', memory: '1Gi', pki: true, seal: { type: 'shamir' } },
    spire: { trustDomain: 'cluster.sovra.local', caKeyType: 'ec-p384', caTTL: '24h', x509SvidTTL: '1h', jwtSvidTTL: '5m', caSubject: { country: 'XX', organization: 'Sovra' } },
    keycloak: {
      cpu: '2',
      memory: '2Gi',
      databaseStorage: '20Gi',
      mfaRequired: true,
      sessions: { accessTokenMinutes: 5, idleMinutes: 15, maxHours: 8 },
      publicClients: [{ clientId: 'sovra-console', redirectUris: ['https://console.sovra.local/callback'], webOrigins: ['https://console.sovra.local'] }],
    },
    istio: { enabled: true, mode: 'sidecar', gateway: { hosts: ['api.sovra.internal'] }, outsideMesh: [MONITORING_OUTSIDE_MESH] },
    // The operator manages the driver on the pool's nodes; whole GPUs (tensor parallel over 8), no MIG.
    'gpu-operator': { driver: 'managed', migStrategy: 'none', dcgmExporter: true },
    // Tensor parallel over the 8 H100 of a node, one server per node of the pool (2): Mixtral 8x22B Instruct (bf16, about 280 GB).
    // No file digests are known offline: the site supplies them at install (README, vLLM) and the servers refuse to start without them.
    vllm: {
      // pool: the first of gpu.pools (inference).
      replicas: 2,
      tensorParallelSize: 8,
      cpu: '32',
      memory: '256Gi',
      sharedMemory: '32Gi',
      maxModelLen: 32768,
      model: { name: 'mixtral-8x22b-instruct', version: 'v0.1', license: 'Apache-2.0', source: 'https://huggingface.co/mistralai/Mixtral-8x22B-Instruct-v0.1', format: 'safetensors' },
      weights: { claimName: 'vllm-models', size: '400Gi' },
    },
    // Vision on its own pool: ResNet-50 (ONNX model zoo, Apache-2.0) on Triton, one L40S per predictor, two predictors.
    // No file digests are known offline: the site supplies them at install (README, KServe) and the predictors refuse to start without them.
    kserve: {
      models: [
        {
          name: 'resnet50',
          version: 'v1-7',
          license: 'Apache-2.0',
          source: 'https://github.com/onnx/models/tree/main/validated/vision/classification/resnet',
          format: 'onnx',
          pool: 'vision',
          replicas: 2,
          gpus: 1,
          cpu: '4',
          memory: '8Gi',
          weights: { claimName: 'resnet50-model', size: '5Gi' },
        },
      ],
    },
    admission: { enforcement: 'deny' },
    // cdktf deploys the objects, so the gate is the Pipeline sovra-verify in front of it (no kubectl apply). The repository host is a placeholder: set your own.
    tekton: { enabled: true, apply: false, chains: { ociRepository: 'registry.sovra.local/sovra/attestations' } },
    monitoring: {
      retention: '90d',
      retentionSize: '180GB',
      storage: '200Gi',
      cpu: '2',
      memory: '8Gi',
      alerting: { webhookUrl: 'https://incidents.sovra.internal/alertmanager' },
      grafana: { rootUrl: 'https://grafana.sovra.internal', adminGroup: 'platform-admins' },
    },
    // Three Loki servers over the object store (bucket logs); audit records kept a year.
    logs: { enabled: true, retention: '90d', auditRetention: '365d', storage: 'object-store', volumeSize: '50Gi', cpu: '2', memory: '4Gi', collector: { cpu: '500m', memory: '512Mi' } },
    traces: { enabled: true, retention: '336h', storage: 'object-store', volumeSize: '20Gi', cpu: '1', memory: '2Gi', collector: { cpu: '500m', memory: '512Mi' } },
  },
};

/** Built-in profiles by name. */
export const BUILTIN_PROFILES: Readonly<Record<'dev' | 'edge' | 'cluster', Profile>> = { dev, edge, cluster };
