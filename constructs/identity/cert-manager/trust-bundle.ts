/**
 * The platform's trust bundle: a trust-manager Bundle that copies the
 * bootstrap root CA (and, where OpenBao's PKI issues the platform's
 * certificates, OpenBao's PKI CA) into a ConfigMap TRUST_BUNDLE in every
 * Sovra namespace, so workloads verify their peers against the platform's
 * own anchors and nothing else (no public web roots).
 */
import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { LABELS } from '../../kit/component.js';
import { TRUST_BUNDLE } from '../../kit/shared-names.js';
import { CA_NAMES, OPENBAO_PKI_CA_SECRET, type PlatformIssuerKind } from './ca.js';

/**
 * The label every Namespace Sovra writes carries (a component's chart
 * labels reach its Namespace): the Bundle's target selector.
 */
export const SOVRA_NAMESPACE_LABEL = { [LABELS.partOf]: 'sovra' } as const;

/** A Secret (in the trust namespace) and key the Bundle reads. */
export interface BundleSource {
  readonly name: string;
  readonly key: string;
}

/** The sources of the bundle for a platform issuer: the bootstrap root always, OpenBao's PKI CA with `openbao-pki`. */
export function bundleSources(platformIssuer: PlatformIssuerKind): BundleSource[] {
  // The root's tls.crt is the self-signed root certificate itself.
  const root = { name: CA_NAMES.root, key: 'tls.crt' };
  return platformIssuer === 'openbao-pki' ? [root, { ...OPENBAO_PKI_CA_SECRET }] : [root];
}

/** Writes the Bundle (cluster-scoped) under `scope`. */
export function addTrustBundle(scope: Construct, platformIssuer: PlatformIssuerKind, clusterScoped: (o: ApiObject) => ApiObject): ApiObject {
  return clusterScoped(
    new ApiObject(scope, `Bundle-${TRUST_BUNDLE.name}`, {
      apiVersion: 'trust.cert-manager.io/v1alpha1',
      kind: 'Bundle',
      metadata: { name: TRUST_BUNDLE.name },
      spec: {
        sources: bundleSources(platformIssuer).map((s) => ({ secret: { name: s.name, key: s.key } })),
        target: { configMap: { key: TRUST_BUNDLE.key }, namespaceSelector: { matchLabels: { ...SOVRA_NAMESPACE_LABEL } } },
      },
    }),
  );
}
