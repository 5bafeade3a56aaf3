/**
 * Workload identities: one ClusterSPIFFEID per pod group of the platform,
 * derived from what each component declares about its pods (labels,
 * namespace, service account), never listed by hand. A component added to
 * the registry gets its identity without any edit here.
 */
import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import type { PodGroup } from '../../kit/network.js';

/**
 * The SPIFFE ID of every workload: the Kubernetes form Istio and most SPIFFE
 * clients expect, `spiffe://<trust domain>/ns/<namespace>/sa/<service account>`,
 * filled in by the controller manager from the pod it registers.
 */
export const SPIFFE_ID_TEMPLATE = 'spiffe://{{ .TrustDomain }}/ns/{{ .PodMeta.Namespace }}/sa/{{ .PodSpec.ServiceAccountName }}';

/** Name of the ClusterSPIFFEID of a pod group: `<component>` or `<component>-<group>` (cluster-scoped, so the component id keeps names unique). */
export function clusterSpiffeIdName(group: PodGroup): string {
  return group.name === group.owner.id ? group.owner.id : `${group.owner.id}-${group.name}`;
}

/** The ClusterSPIFFEID spec of a pod group. */
export function clusterSpiffeIdSpec(group: PodGroup, className: string): Record<string, unknown> {
  return {
    className,
    spiffeIDTemplate: SPIFFE_ID_TEMPLATE,
    // Selected by namespace and pod labels, so a group that declares no service account is matched all the same:
    // its pods run as the account Kubernetes gives them (the namespace's `default` unless the chart names one), and that is the ID they get.
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': group.namespace } },
    podSelector: { matchLabels: { ...group.labels } },
    hint: `${group.owner.id}/${group.name}`,
  };
}

/** Adds the ClusterSPIFFEID of `group` under `scope` (the caller marks it cluster-scoped). */
export function addClusterSpiffeId(scope: Construct, group: PodGroup, className: string): ApiObject {
  return new ApiObject(scope, `ClusterSPIFFEID-${group.owner.id}-${group.name}`, {
    apiVersion: 'spire.spiffe.io/v1alpha1',
    kind: 'ClusterSPIFFEID',
    metadata: { name: clusterSpiffeIdName(group) },
    spec: clusterSpiffeIdSpec(group, className),
  });
}
