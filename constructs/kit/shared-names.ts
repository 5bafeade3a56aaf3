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
