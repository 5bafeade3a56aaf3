/**
 * A workload with the hardened baseline by default (DESIGN.md): restricted
 * Pod Security, non-root, read-only root filesystem, all capabilities
 * dropped, seccomp RuntimeDefault, requests equal to limits, a NetworkPolicy
 * allow-list, its own ServiceAccount without an automounted token, and for
 * high availability a PodDisruptionBudget and spread across nodes. Loosening
 * any of it is a named prop with a written reason.
 */
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-28';
import { imageRef, type ImageSpec } from './image.js';

/** A peer a workload may talk to or hear from. */
export interface NetworkPeer {
  /** Namespace of the peer; omitted means the workload's own namespace. */
  readonly namespace?: string;
  /** Pod labels of the peer; omitted means every pod of the namespace. */
  readonly podLabels?: Readonly<Record<string, string>>;
  readonly ports: readonly number[];
  /** @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP';
}

/** A loosening of the baseline, with the reason the SSP shows. */
export interface Exception {
  readonly reason: string;
}

/** Props of a hardened workload. */
export interface HardenedWorkloadProps {
  /** Name of the Deployment, Service, ServiceAccount and NetworkPolicy. */
  readonly name: string;
  readonly image: ImageSpec;
  readonly replicas: number;
  /** Named container ports, exposed by the Service. */
  readonly ports: ReadonlyArray<{ readonly name: string; readonly port: number }>;
  readonly args?: readonly string[];
  /** Plain environment variables. */
  readonly env?: Readonly<Record<string, string>>;
  /** Environment variables read from Secrets. */
  readonly secretEnv?: ReadonlyArray<{ readonly name: string; readonly secret: string; readonly key: string }>;
  /** CPU and memory; requests equal limits (Guaranteed QoS). */
  readonly resources: { readonly cpu: string; readonly memory: string };
  /** HTTP path and port name of liveness and readiness probes. */
  readonly probes?: { readonly liveness: string; readonly readiness: string; readonly port: string };
  /** Who may connect in. */
  readonly ingress: readonly NetworkPeer[];
  /** Where it may connect to (DNS is always allowed). */
  readonly egress: readonly NetworkPeer[];
  /**
   * Protect availability with a PodDisruptionBudget and spread replicas over nodes.
   * @default false
   */
  readonly highAvailability?: boolean;
  /**
   * Let the container write its root filesystem.
   * @default - read-only
   */
  readonly allowWritableRootFs?: Exception;
  /**
   * Mount a Kubernetes API token into the pod.
   * @default - not mounted
   */
  readonly mountServiceAccountToken?: Exception;
}

/** The DNS peer every workload may reach. */
const DNS: NetworkPeer[] = [
  { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' }, ports: [53], protocol: 'UDP' },
  { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' }, ports: [53], protocol: 'TCP' },
];

function peer(p: NetworkPeer): k8s.NetworkPolicyPeer {
  return {
    ...(p.namespace ? { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': p.namespace } } } : {}),
    podSelector: { matchLabels: { ...(p.podLabels ?? {}) } },
  };
}

function ports(p: NetworkPeer): k8s.NetworkPolicyPort[] {
  return p.ports.map((port) => ({ port: k8s.IntOrString.fromNumber(port), protocol: p.protocol ?? 'TCP' }));
}

/** Deployment, Service, ServiceAccount, NetworkPolicy and (for HA) PodDisruptionBudget of one workload. */
export class HardenedWorkload extends Construct {
  /** The Deployment (L1, child `Resource`). */
  readonly deployment: k8s.KubeDeployment;
  readonly service: k8s.KubeService;
  readonly serviceAccount: k8s.KubeServiceAccount;
  readonly networkPolicy: k8s.KubeNetworkPolicy;
  readonly podDisruptionBudget?: k8s.KubePodDisruptionBudget;
  /** Pod labels that select this workload. */
  readonly selector: Record<string, string>;
  /** Loosenings of the baseline, for the SSP. */
  readonly exceptions: ReadonlyArray<{ readonly setting: string; readonly reason: string }>;

  constructor(scope: Construct, id: string, props: HardenedWorkloadProps) {
    super(scope, id);
    const name = props.name;
    this.selector = { 'app.kubernetes.io/name': name };
    const exceptions: Array<{ setting: string; reason: string }> = [];
    if (props.allowWritableRootFs) exceptions.push({ setting: 'readOnlyRootFilesystem=false', reason: props.allowWritableRootFs.reason });
    if (props.mountServiceAccountToken) exceptions.push({ setting: 'automountServiceAccountToken=true', reason: props.mountServiceAccountToken.reason });
    this.exceptions = exceptions;

    this.serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name },
      automountServiceAccountToken: props.mountServiceAccountToken !== undefined,
    });

    const resources = { cpu: k8s.Quantity.fromString(props.resources.cpu), memory: k8s.Quantity.fromString(props.resources.memory) };
    const probe = (path: string): k8s.Probe | undefined =>
      props.probes ? { httpGet: { path, port: k8s.IntOrString.fromString(props.probes.port) }, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 } : undefined;

    this.deployment = new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { name, labels: this.selector },
      spec: {
        replicas: props.replicas,
        revisionHistoryLimit: 3,
        selector: { matchLabels: this.selector },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0), maxSurge: k8s.IntOrString.fromNumber(1) } },
        template: {
          metadata: { labels: this.selector },
          spec: {
            serviceAccountName: name,
            automountServiceAccountToken: props.mountServiceAccountToken !== undefined,
            enableServiceLinks: false,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 65532,
              runAsGroup: 65532,
              fsGroup: 65532,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            ...(props.highAvailability
              ? {
                  topologySpreadConstraints: [
                    { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: this.selector } },
                  ],
                }
              : {}),
            containers: [
              {
                name,
                image: imageRef(props.image),
                imagePullPolicy: 'IfNotPresent',
                ...(props.args ? { args: [...props.args] } : {}),
                env: [
                  ...Object.entries(props.env ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => ({ name: k, value: v })),
                  ...(props.secretEnv ?? []).map((e) => ({ name: e.name, valueFrom: { secretKeyRef: { name: e.secret, key: e.key } } })),
                ],
                ports: props.ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: 'TCP' })),
                resources: { requests: resources, limits: resources },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  privileged: false,
                  readOnlyRootFilesystem: props.allowWritableRootFs === undefined,
                  runAsNonRoot: true,
                  capabilities: { drop: ['ALL'] },
                  seccompProfile: { type: 'RuntimeDefault' },
                },
                ...(probe(props.probes?.liveness ?? '') ? { livenessProbe: probe(props.probes!.liveness) } : {}),
                ...(probe(props.probes?.readiness ?? '') ? { readinessProbe: probe(props.probes!.readiness) } : {}),
                volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            volumes: [{ name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('64Mi') } }],
          },
        },
      },
    });

    this.service = new k8s.KubeService(this, 'Service', {
      metadata: { name, labels: this.selector },
      spec: {
        type: 'ClusterIP',
        selector: this.selector,
        ports: props.ports.map((p) => ({ name: p.name, port: p.port, targetPort: k8s.IntOrString.fromString(p.name), protocol: 'TCP' })),
      },
    });

    this.networkPolicy = new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata: { name },
      spec: {
        podSelector: { matchLabels: this.selector },
        policyTypes: ['Ingress', 'Egress'],
        ingress: props.ingress.map((p) => ({ from: [peer(p)], ports: ports(p) })),
        egress: [...DNS, ...props.egress].map((p) => ({ to: [peer(p)], ports: ports(p) })),
      },
    });

    if (props.highAvailability) {
      this.podDisruptionBudget = new k8s.KubePodDisruptionBudget(this, 'PodDisruptionBudget', {
        metadata: { name },
        spec: { minAvailable: k8s.IntOrString.fromNumber(Math.max(1, props.replicas - 1)), selector: { matchLabels: this.selector } },
      });
    }
  }
}
