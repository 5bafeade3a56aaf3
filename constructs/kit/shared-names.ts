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
// Policy (component admission, policies/): names the policy rules read and
// other components must follow.

/**
 * How a GPU pool's nodes are marked (the distribution component labels and
 * taints them; workloads that request GPUs select and tolerate them; the
 * rule gpu/pool-placement checks it): node label `sovra.dev/gpu-pool` with
 * the pool's name, taint `nvidia.com/gpu:NoSchedule`.
 */
export const GPU_POOL = {
  nodeLabel: 'sovra.dev/gpu-pool',
  taint: { key: 'nvidia.com/gpu', effect: 'NoSchedule' },
  resource: 'nvidia.com/gpu',
} as const;
