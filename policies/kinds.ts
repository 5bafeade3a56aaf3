/** The kinds the rules match, with their API groups, versions and resources. */
import type { MatchKind } from './rule.js';

const kind = (group: string, versions: readonly string[], k: string, resource: string): MatchKind => ({ group, versions, kind: k, resource });

/** Every kind that carries a pod template, and bare Pods. */
export const POD_KINDS: readonly MatchKind[] = [
  kind('', ['v1'], 'Pod', 'pods'),
  kind('apps', ['v1'], 'Deployment', 'deployments'),
  kind('apps', ['v1'], 'StatefulSet', 'statefulsets'),
  kind('apps', ['v1'], 'DaemonSet', 'daemonsets'),
  kind('apps', ['v1'], 'ReplicaSet', 'replicasets'),
  kind('batch', ['v1'], 'Job', 'jobs'),
  kind('batch', ['v1'], 'CronJob', 'cronjobs'),
];

/**
 * Custom resources whose operator runs the image they name in
 * `spec.imageName`: CloudNativePG's Cluster (the PostgreSQL instances). The
 * image rules judge that reference like a container's, so an operand image
 * is held to the same lock as a workload's.
 */
export const OPERAND_IMAGE_KINDS: readonly MatchKind[] = [kind('postgresql.cnpg.io', ['v1'], 'Cluster', 'clusters')];

/** What the image rules judge: every pod kind and the operand images. */
export const IMAGE_KINDS: readonly MatchKind[] = [...POD_KINDS, ...OPERAND_IMAGE_KINDS];

/** Namespaces. */
export const NAMESPACE_KIND: readonly MatchKind[] = [kind('', ['v1'], 'Namespace', 'namespaces')];
/** Services. */
export const SERVICE_KIND: readonly MatchKind[] = [kind('', ['v1'], 'Service', 'services')];
/** Secrets. */
export const SECRET_KIND: readonly MatchKind[] = [kind('', ['v1'], 'Secret', 'secrets')];
/** Istio PeerAuthentication. */
export const PEER_AUTHENTICATION_KIND: readonly MatchKind[] = [kind('security.istio.io', ['v1', 'v1beta1'], 'PeerAuthentication', 'peerauthentications')];
/** Istio DestinationRule. */
export const DESTINATION_RULE_KIND: readonly MatchKind[] = [kind('networking.istio.io', ['v1', 'v1beta1', 'v1alpha3'], 'DestinationRule', 'destinationrules')];

/** API group of an `apiVersion` (`apps/v1` → `apps`, `v1` → `''`). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** Version of an `apiVersion` (`apps/v1` → `v1`). */
export function versionOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
}

/** Whether `match` selects an object of `apiVersion` and `kind`. */
export function matchesKind(match: readonly MatchKind[] | 'all', apiVersion: string, k: string): boolean {
  if (match === 'all') return true;
  const g = groupOf(apiVersion);
  const v = versionOf(apiVersion);
  return match.some((m) => m.kind === k && m.group === g && m.versions.includes(v));
}

/** Field path of the pod spec inside an object of `kind`. */
export function podSpecPath(k: string): string {
  if (k === 'Pod') return 'spec';
  if (k === 'CronJob') return 'spec.jobTemplate.spec.template.spec';
  return 'spec.template.spec';
}
