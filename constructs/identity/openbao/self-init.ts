/**
 * Declarative self-initialization (OpenBao ≥ 2.4, `initialize` stanzas):
 * on its first start on empty storage, a server with an auto-unseal seal
 * initializes itself, runs these requests with a root token that is never
 * returned and is revoked afterwards (command/server.go, Initialize, at tag
 * v2.6.2), and never runs them again. No secret is needed: every request
 * below is plain configuration.
 *
 * OpenBao refuses it with a Shamir seal (nothing could hold the unseal
 * keys), and Sovra uses it only with one server: the initializing node must
 * be the only voter (server.go: "ensure only one active, voting node during
 * initialization"), while a joining server's retry_join runs in the
 * background and would race its own self-initialization. With several
 * servers the README's runbook does the same steps by hand.
 */
import { NAMESPACES, OPENBAO_CLIENTS, OPENBAO_PATHS } from '../../kit/shared-names.js';

/** One request of a block (name → request), as the JSON form of the stanza writes it. */
export type InitRequest = Record<string, { readonly operation: 'update'; readonly path: string; readonly data: Record<string, unknown> }>;
/** One `initialize` block (name → its requests). */
export type InitializeBlock = Record<string, { readonly request: readonly InitRequest[] }>;

/** The service account whose tokens log in as the bootstrap administrator (Kubernetes RBAC decides who may request one). */
export const BOOTSTRAP_ADMIN = { role: 'bootstrap-admin', policy: 'bootstrap-admin', serviceAccount: 'openbao-bootstrap-admin', namespace: NAMESPACES.openbao } as const;

/** ACL policies by name: least privilege per client, and the bootstrap administrator. */
export function policies(pki: boolean): Record<string, string> {
  const kv = OPENBAO_PATHS.kv;
  return {
    [OPENBAO_CLIENTS.externalSecrets.policy]: `path "${kv}/data/*" {\n  capabilities = ["read"]\n}\npath "${kv}/metadata/*" {\n  capabilities = ["read", "list"]\n}\n`,
    ...(pki ? { [OPENBAO_CLIENTS.certManager.policy]: `path "${OPENBAO_CLIENTS.certManager.signPath}" {\n  capabilities = ["create", "update"]\n}\n` } : {}),
    [BOOTSTRAP_ADMIN.policy]: 'path "*" {\n  capabilities = ["create", "read", "update", "patch", "delete", "list", "sudo"]\n}\n',
  };
}

/** A Kubernetes-auth role: who (service account, namespace, audience) gets which policy, for how long. */
export interface KubernetesRole {
  readonly bound_service_account_names: readonly string[];
  readonly bound_service_account_namespaces: readonly string[];
  readonly audience?: string;
  readonly token_policies: readonly string[];
  readonly token_ttl: string;
  readonly token_max_ttl: string;
}

/** Kubernetes-auth roles by name. */
export function kubernetesRoles(pki: boolean): Record<string, KubernetesRole> {
  const eso = OPENBAO_CLIENTS.externalSecrets;
  const cm = OPENBAO_CLIENTS.certManager;
  return {
    [eso.role]: { bound_service_account_names: [eso.serviceAccount], bound_service_account_namespaces: [eso.namespace], token_policies: [eso.policy], token_ttl: '15m', token_max_ttl: '1h' },
    ...(pki
      ? { [cm.role]: { bound_service_account_names: [cm.serviceAccount], bound_service_account_namespaces: [cm.namespace], audience: cm.audience, token_policies: [cm.policy], token_ttl: '15m', token_max_ttl: '1h' } }
      : {}),
    [BOOTSTRAP_ADMIN.role]: {
      bound_service_account_names: [BOOTSTRAP_ADMIN.serviceAccount],
      bound_service_account_namespaces: [BOOTSTRAP_ADMIN.namespace],
      token_policies: [BOOTSTRAP_ADMIN.policy],
      token_ttl: '15m',
      token_max_ttl: '1h',
    },
  };
}

/** The blocks, in order: the KV mount, Kubernetes auth, policies, roles. */
export function initializeBlocks(pki: boolean): InitializeBlock[] {
  const req = (name: string, path: string, data: Record<string, unknown>): InitRequest => ({ [name]: { operation: 'update', path, data } });
  const auth = OPENBAO_PATHS.kubernetesAuth;
  return [
    { secrets: { request: [req('mount-kv', `sys/mounts/${OPENBAO_PATHS.kv}`, { type: 'kv', options: { version: '2' }, description: "The platform's secrets (KV version 2)." })] } },
    {
      auth: {
        request: [
          req('enable-kubernetes', `sys/auth/${auth}`, { type: 'kubernetes', description: 'Workloads log in with their service account token.' }),
          // In a pod, OpenBao reviews tokens with its own service account token and CA (TokenReview, ClusterRole system:auth-delegator).
          req('configure-kubernetes', `auth/${auth}/config`, { kubernetes_host: 'https://kubernetes.default.svc' }),
        ],
      },
    },
    { policies: { request: Object.entries(policies(pki)).map(([name, policy]) => req(`policy-${name}`, `sys/policies/acl/${name}`, { policy })) } },
    { roles: { request: Object.entries(kubernetesRoles(pki)).map(([name, role]) => req(`role-${name}`, `auth/${auth}/role/${name}`, { ...role })) } },
  ];
}

/** The chart-values path (below the server configuration) of `field` of request `request` in block `block`. */
export function requestPath(blocks: readonly InitializeBlock[], block: string, request: string, field: string): string {
  const b = blocks.findIndex((x) => block in x);
  if (b < 0) throw new Error(`no initialize block ${block}`);
  const r = blocks[b]![block]!.request.findIndex((x) => request in x);
  if (r < 0) throw new Error(`no request ${request} in initialize block ${block}`);
  return `initialize[${b}].${block}.request[${r}].${request}.${field}`;
}
