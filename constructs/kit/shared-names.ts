/**
 * Names one component creates and every other component refers to. Each is
 * owned by the component named in its comment; the kit's helpers
 * (certificates, external secrets) use them so that consumers never spell
 * them out.
 */

/**
 * The ClusterIssuer of every certificate of the platform, created by the
 * cert-manager component: the internal intermediate CA on dev and edge,
 * OpenBao's PKI through cert-manager's Vault issuer on cluster.
 */
export const PLATFORM_ISSUER = 'sovra-platform';

/** The ClusterSecretStore serving OpenBao's KV secrets, created by the External Secrets component. */
export const SECRET_STORE = 'sovra-openbao';

/** The ConfigMap (in every namespace) with the platform's CA certificates, distributed by trust-manager. */
export const TRUST_BUNDLE = { name: 'sovra-ca-bundle', key: 'ca.crt' } as const;

/**
 * The ClusterIssuer of the self-signed bootstrap chain (root and
 * intermediate CA), created by the cert-manager component on every profile.
 * It issues what must exist before OpenBao runs (OpenBao's own certificate);
 * on dev and edge PLATFORM_ISSUER is its intermediate CA as well.
 */
export const BOOTSTRAP_ISSUER = 'sovra-bootstrap';

/** Namespaces of the platform's shared services, each owned by the component named. */
export const NAMESPACES = {
  /** cert-manager and trust-manager (component cert-manager). */
  certManager: 'cert-manager',
  /** OpenBao (component openbao). */
  openbao: 'sovra-secrets',
  /** External Secrets Operator (component external-secrets). */
  externalSecrets: 'external-secrets',
  /** Keycloak (component keycloak). */
  keycloak: 'sovra-identity',
  /** SPIRE server and agents (component spire). */
  spire: 'spire-system',
  /** istiod and the ingress gateway (component istio). */
  istio: 'istio-system',
  /** The CloudNativePG operator (component postgres). */
  postgresOperator: 'cnpg-system',
  /** The NVIDIA GPU Operator (component gpu-operator). */
  gpuOperator: 'gpu-operator',
  /** Model servers: vLLM and KServe's InferenceServices (components vllm, kserve). */
  inference: 'sovra-inference',
  /** The MinIO operator (component object-store). */
  objectStoreOperator: 'minio-operator',
  /** The MinIO Tenant: the platform's object store (component object-store). */
  objectStore: 'sovra-storage',
  /** Loki, the platform's log store (component logs). */
  logs: 'sovra-logs',
  /** The node log collectors, with privileged Pod Security and nothing else (component logs). */
  logAgents: 'sovra-log-agents',
  /** Tempo and the trace collector (component traces). */
  traces: 'sovra-traces',
} as const;

/** OpenBao's API as its clients reach it (component openbao): TLS from BOOTSTRAP_ISSUER. */
export const OPENBAO_API = { service: 'openbao', port: 8200, url: `https://openbao.${NAMESPACES.openbao}.svc:8200` } as const;

/** Paths in OpenBao that clients use (component openbao configures them in its runbook). */
export const OPENBAO_PATHS = {
  /** KV version 2 mount holding the platform's secrets. */
  kv: 'sovra',
  /** Kubernetes auth mount. */
  kubernetesAuth: 'kubernetes',
  /** PKI mount that issues the platform's certificates on cluster (cert-manager's Vault issuer signs there). */
  pki: 'pki_int',
} as const;

/** The Keycloak realm of the platform and its issuer URL (component keycloak). */
export const KEYCLOAK_REALM = { name: 'sovra', issuer: `https://keycloak.${NAMESPACES.keycloak}.svc/realms/sovra`, controlPlaneClient: 'sovra-control-plane' } as const;

// ---------------------------------------------------------------------------
// External Secrets (component external-secrets)
// ---------------------------------------------------------------------------

/**
 * How the External Secrets controller logs in to OpenBao: Kubernetes auth
 * (mount OPENBAO_PATHS.kubernetesAuth) with the role `role`, which the
 * OpenBao runbook binds to this one service account in this namespace and to
 * a read-only policy on the KV mount.
 */
export const EXTERNAL_SECRETS_OPENBAO_AUTH = { role: 'external-secrets', serviceAccount: 'external-secrets', namespace: NAMESPACES.externalSecrets } as const;

// ---------------------------------------------------------------------------
// OpenBao's clients (component openbao). Each client component authenticates
// with Kubernetes auth (mount OPENBAO_PATHS.kubernetesAuth) as the service
// account named here, in the role named here; the openbao component binds
// role, service account, namespace (and audience) and grants the policy.
// ---------------------------------------------------------------------------

/** Kubernetes-auth roles of OpenBao, the service accounts bound to them and what each may do. */
export const OPENBAO_CLIENTS = {
  /** External Secrets Operator's ClusterSecretStore SECRET_STORE: reads the KV mount. */
  externalSecrets: { role: 'external-secrets', policy: 'external-secrets', serviceAccount: 'external-secrets', namespace: NAMESPACES.externalSecrets },
  /**
   * cert-manager's Vault ClusterIssuer PLATFORM_ISSUER (cluster profile, where OpenBao's PKI is the
   * platform issuer): signs at `signPath`. cert-manager requests the token of `serviceAccount` with
   * the audience `vault://<ClusterIssuer name>`, which the role requires.
   */
  certManager: {
    role: 'cert-manager',
    policy: 'cert-manager',
    serviceAccount: 'openbao-issuer',
    namespace: NAMESPACES.certManager,
    audience: `vault://${PLATFORM_ISSUER}`,
    signPath: `${OPENBAO_PATHS.pki}/sign/sovra`,
  },
} as const;

// ---- SPIRE (component spire) ----

/**
 * How pods reach SPIRE's Workload API (component spire): a CSI volume of
 * driver `csiDriver` (readOnly) mounts the node agent's socket directory,
 * in which the socket is also named `socketName` (the name Istio's SPIRE
 * integration looks for). The trust domain is the profile's
 * `components.spire.trustDomain`.
 */
export const SPIRE_WORKLOAD_API = { csiDriver: 'csi.spiffe.io', socketName: 'socket' } as const;

// ---- Model serving (component vllm) ----

/**
 * The OpenAI-compatible API of vLLM as the control plane reaches it: pod
 * group `pods` of component `component` behind Service `service`. Plain
 * HTTP inside the cluster; on edge and cluster the mesh carries it in mTLS.
 */
export const VLLM_API = {
  component: 'vllm',
  pods: 'vllm',
  service: 'vllm',
  namespace: NAMESPACES.inference,
  port: 8000,
  portName: 'http',
  url: `http://vllm.${NAMESPACES.inference}.svc:8000/v1`,
} as const;

// ---- Object storage (component object-store) ----

/**
 * The platform's S3-compatible object store (component object-store): the
 * MinIO Tenant's Service over TLS from the platform issuer, and the buckets
 * other components use (model weights, PostgreSQL backups, logs).
 */
export const OBJECT_STORE = {
  component: 'object-store',
  namespace: NAMESPACES.objectStore,
  service: 'minio',
  port: 443,
  url: `https://minio.${NAMESPACES.objectStore}.svc`,
  buckets: { models: 'sovra-models', backups: 'sovra-backups', logs: 'sovra-logs', traces: 'sovra-traces' },
} as const;

// ---- Traces (component traces) ----

/**
 * Where workloads send their traces (component traces): the OTLP receivers
 * of the trace collector, gRPC on `grpcPort` and HTTP on `httpPort`. A
 * workload that emits traces declares the peer
 * `{ component, pods, port: 'otlp-grpc' | 'otlp-http' }` and sets
 * `OTEL_EXPORTER_OTLP_ENDPOINT` to `grpcUrl` or `httpUrl`; the allow rules
 * follow from the declaration.
 */
export const TRACES_OTLP = {
  component: 'traces',
  pods: 'collector',
  namespace: NAMESPACES.traces,
  service: 'trace-collector',
  grpcPort: 4317,
  httpPort: 4318,
  grpcUrl: `http://trace-collector.${NAMESPACES.traces}.svc:4317`,
  httpUrl: `http://trace-collector.${NAMESPACES.traces}.svc:4318`,
} as const;

// ---------------------------------------------------------------------------
// Policy (component admission, policies/): names the policy rules read and
// other components must follow.

