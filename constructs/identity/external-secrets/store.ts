/**
 * The platform's ClusterSecretStore: OpenBao's KV v2 mount, reached over
 * TLS verified against the platform CA bundle, with Kubernetes auth as the
 * External Secrets controller's own service account (a 10-minute token from
 * the TokenRequest API at each login; no static credential anywhere). It
 * serves exactly the namespaces whose ExternalSecrets name it.
 *
 * Also the one permission the chart no longer grants cluster-wide: creating
 * tokens, narrowed to that one service account.
 */
import { ApiObject, Lazy } from 'cdk8s';
import type { Component, PlatformDirectory } from '../../kit/component.js';
import { EXTERNAL_SECRETS_OPENBAO_AUTH, OPENBAO_API, OPENBAO_PATHS, SECRET_STORE, TRUST_BUNDLE } from '../../kit/shared-names.js';

/** The store's spec; constant but for the namespaces it serves. */
export function storeProvider(namespace: string): Record<string, unknown> {
  return {
    vault: {
      server: OPENBAO_API.url,
      path: OPENBAO_PATHS.kv,
      version: 'v2',
      // trust-manager writes the bundle into every Sovra namespace; a ClusterSecretStore must name the namespace it reads it from.
      caProvider: { type: 'ConfigMap', name: TRUST_BUNDLE.name, key: TRUST_BUNDLE.key, namespace },
      auth: {
        kubernetes: {
          mountPath: OPENBAO_PATHS.kubernetesAuth,
          role: EXTERNAL_SECRETS_OPENBAO_AUTH.role,
          // Without a namespace ESO would look for the account in each ExternalSecret's namespace.
          serviceAccountRef: { name: EXTERNAL_SECRETS_OPENBAO_AUTH.serviceAccount, namespace: EXTERNAL_SECRETS_OPENBAO_AUTH.namespace },
        },
      },
    },
  };
}

type Json = { apiVersion?: string; kind?: string; metadata?: { namespace?: string }; spec?: { secretStoreRef?: { kind?: string; name?: string }; data?: Array<{ sourceRef?: { storeRef?: { kind?: string; name?: string } } }>; dataFrom?: Array<{ sourceRef?: { storeRef?: { kind?: string; name?: string } } }> } };

const namesStore = (ref: { kind?: string; name?: string } | undefined) => ref?.name === SECRET_STORE && ref.kind === 'ClusterSecretStore';

/** Namespaces of every ExternalSecret of the platform that reads from SECRET_STORE, sorted. */
export function storeNamespaces(platform: PlatformDirectory): string[] {
  const out = new Set<string>();
  for (const c of platform.components) {
    for (const o of c.node.findAll()) {
      if (!(o instanceof ApiObject) || o.kind !== 'ExternalSecret' || !o.apiVersion.startsWith('external-secrets.io/')) continue;
      const json = o.toJson() as Json;
      const refs = [json.spec?.secretStoreRef, ...(json.spec?.data ?? []).map((d) => d.sourceRef?.storeRef), ...(json.spec?.dataFrom ?? []).map((d) => d.sourceRef?.storeRef)];
      if (refs.some(namesStore) && json.metadata?.namespace) out.add(json.metadata.namespace);
    }
  }
  return [...out].sort();
}

/** The ClusterSecretStore; `namespaces` is read when the object is rendered. */
export function addStore(component: Component, namespaces: () => readonly string[]): ApiObject {
  return new ApiObject(component, 'ClusterSecretStore', {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ClusterSecretStore',
    metadata: { name: SECRET_STORE },
    spec: {
      provider: storeProvider(component.info.namespace),
      // An ExternalSecret in any other namespace is refused by the controller (ESO 2.9.0 client_manager shouldProcessSecret).
      conditions: [{ namespaces: Lazy.any({ produce: () => [...namespaces()] }) }],
    },
  });
}

/** Role and binding that let the controller request tokens for its own service account only. */
export function addTokenRequestRole(component: Component): { role: ApiObject; binding: ApiObject } {
  const { serviceAccount, namespace } = EXTERNAL_SECRETS_OPENBAO_AUTH;
  const name = 'external-secrets-openbao-login';
  const role = new ApiObject(component, 'TokenRequestRole', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name, namespace },
    rules: [{ apiGroups: [''], resources: ['serviceaccounts/token'], resourceNames: [serviceAccount], verbs: ['create'] }],
  });
  const binding = new ApiObject(component, 'TokenRequestRoleBinding', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name, namespace },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace }],
  });
  return { role, binding };
}
