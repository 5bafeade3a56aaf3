/**
 * The values Sovra sets on the cloudnative-pg chart 0.29.0 (value names as
 * in its values.yaml): the operator image, replicas with spread and a
 * rolling update that keeps one running, the hardened security contexts
 * written out, resources, and the CRDs and webhooks installed.
 */
import type { ImageSpec } from '../../kit/image.js';

/** UID and GID the operator runs as (the chart's default, kept and cited by the AC-6 claim). */
export const OPERATOR_UID = 10001;

/** Container ports of the operator (fixed by the chart's Deployment: metrics 8080, webhook `webhook.port`). */
export const OPERATOR_PORTS = { metrics: 8080, webhook: 9443 } as const;

/** Pod labels the chart puts on the operator (its selectorLabels: chart name and release). */
export function OPERATOR_LABELS(release: string): Record<string, string> {
  return { 'app.kubernetes.io/name': 'cloudnative-pg', 'app.kubernetes.io/instance': release };
}

type Quantity = { readonly cpu: string; readonly memory: string };
type Resources = { readonly requests: Quantity; readonly limits: Quantity };

/** Values Sovra sets on the chart (the subset it owns). */
export interface CnpgValues {
  readonly replicaCount: number;
  readonly image: { readonly repository: string; readonly tag: string; readonly pullPolicy: 'IfNotPresent' };
  readonly crds: { readonly create: boolean };
  readonly webhook: {
    readonly port: number;
    readonly mutating: { readonly create: boolean; readonly failurePolicy: 'Fail' | 'Ignore' };
    readonly validating: { readonly create: boolean; readonly failurePolicy: 'Fail' | 'Ignore' };
  };
  readonly config: { readonly create: boolean; readonly clusterWide: boolean; readonly maxConcurrentReconciles: number };
  readonly serviceAccount: { readonly create: boolean };
  readonly rbac: { readonly create: boolean; readonly aggregateClusterRoles: boolean };
  readonly updateStrategy: { readonly type: 'RollingUpdate'; readonly rollingUpdate: { readonly maxSurge: number; readonly maxUnavailable: number } };
  readonly containerSecurityContext: {
    readonly allowPrivilegeEscalation: boolean;
    readonly readOnlyRootFilesystem: boolean;
    readonly runAsNonRoot: boolean;
    readonly runAsUser: number;
    readonly runAsGroup: number;
    readonly seccompProfile: { readonly type: 'RuntimeDefault' };
    readonly capabilities: { readonly drop: readonly string[] };
  };
  readonly podSecurityContext: { readonly runAsNonRoot: boolean; readonly seccompProfile: { readonly type: 'RuntimeDefault' } };
  readonly resources: Resources;
  readonly topologySpreadConstraints: ReadonlyArray<Record<string, unknown>>;
  readonly affinity: Record<string, unknown>;
  readonly monitoring: { readonly podMonitorEnabled: boolean; readonly grafanaDashboard: { readonly create: boolean } };
}

/** What the values are made from. */
export interface CnpgValuesInput {
  readonly image: ImageSpec;
  readonly replicas: number;
  /** CPU and memory, requested and limited alike (Guaranteed QoS, as the hardened baseline has it). */
  readonly resources: { readonly cpu: string; readonly memory: string };
  readonly release: string;
}

/** The chart's values for a profile. */
export function cnpgValues(i: CnpgValuesInput): CnpgValues {
  const selector = { matchLabels: OPERATOR_LABELS(i.release) };
  return {
    replicaCount: i.replicas,
    // The chart writes `repository:tag`; a locked image is written as `tag@digest`, still one valid reference.
    image: { repository: `${i.image.registry}/${i.image.repository}`, tag: i.image.digest ? `${i.image.tag}@${i.image.digest}` : i.image.tag, pullPolicy: 'IfNotPresent' },
    crds: { create: true },
    webhook: { port: 9443, mutating: { create: true, failurePolicy: 'Fail' }, validating: { create: true, failurePolicy: 'Fail' } },
    config: { create: true, clusterWide: true, maxConcurrentReconciles: 10 },
    serviceAccount: { create: true },
    rbac: { create: true, aggregateClusterRoles: false },
    // A new replica is ready before an old one stops; with leader election the standby takes over at once.
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    containerSecurityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: OPERATOR_UID,
      runAsGroup: OPERATOR_UID,
      seccompProfile: { type: 'RuntimeDefault' },
      capabilities: { drop: ['ALL'] },
    },
    podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    resources: { requests: { cpu: i.resources.cpu, memory: i.resources.memory }, limits: { cpu: i.resources.cpu, memory: i.resources.memory } },
    topologySpreadConstraints: i.replicas > 1 ? [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: selector }] : [],
    affinity:
      i.replicas > 1
        ? { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: selector } }] } }
        : {},
    monitoring: { podMonitorEnabled: false, grafanaDashboard: { create: false } },
  };
}
