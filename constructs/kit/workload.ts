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
import { Component } from './component.js';
import { imageRef, type ImageSpec } from './image.js';
import type { PodGroup } from './network.js';

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
  /** Environment variables read from Secrets (each Secret is declared as consumed by the component). */
  readonly secretEnv?: ReadonlyArray<{ readonly name: string; readonly secret: string; readonly key: string; readonly purpose: string }>;
  /** Volumes besides the in-memory `/tmp`, each mounted read-only into the container unless it says otherwise. */
  readonly volumes?: readonly WorkloadVolume[];
  /** Containers run to completion before the main one, with the same hardening (same image unless given). */
  readonly initContainers?: readonly InitContainer[];
  /** CPU and memory; requests equal limits (Guaranteed QoS). */
  readonly resources: { readonly cpu: string; readonly memory: string };
  /** HTTP path and port name of liveness and readiness probes. */
  readonly probes?: { readonly liveness: string; readonly readiness: string; readonly port: string };
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

/** A volume of a workload and where the container sees it. */
export interface WorkloadVolume {
  readonly name: string;
  readonly mountPath: string;
  /** @default true */
  readonly readOnly?: boolean;
  /**
   * An empty directory (in memory when `medium` is Memory), a claim, a
   * ConfigMap (read-only), or a Secret (read-only, files readable by the
   * pod's user only; the Secret is declared as consumed with `purpose`).
   */
  readonly source:
    | { readonly emptyDir: { readonly sizeLimit: string; readonly medium?: 'Memory' } }
    | { readonly persistentVolumeClaim: { readonly claimName: string } }
    | { readonly configMap: { readonly name: string } }
    | { readonly secret: { readonly name: string; readonly keys: readonly string[]; readonly purpose: string } };
}

/** A container that runs to completion before the workload's container. */
export interface InitContainer {
  readonly name: string;
  readonly args: readonly string[];
  /** @default - the workload's image */
  readonly image?: ImageSpec;
  /** Volumes (by name) it may write. */
  readonly writes: readonly string[];
  readonly resources?: { readonly cpu: string; readonly memory: string };
}

/** The container security context of the hardened baseline. */
function hardenedContainer(readOnlyRootFilesystem: boolean): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Deployment, Service, ServiceAccount, the pod group (so its NetworkPolicy) and (for HA) PodDisruptionBudget of one workload. */
export class HardenedWorkload extends Construct {
  /** The Deployment (L1, child `Resource`). */
  readonly deployment: k8s.KubeDeployment;
  readonly service: k8s.KubeService;
  readonly serviceAccount: k8s.KubeServiceAccount;
  /** Its pods as the component's pod group: declare peers on it; its NetworkPolicy is derived. */
  readonly pods: PodGroup;
  readonly podDisruptionBudget?: k8s.KubePodDisruptionBudget;
  /** Pod labels that select this workload. */
  readonly selector: Record<string, string>;
  /** Loosenings of the baseline, for the SSP. */
  readonly exceptions: ReadonlyArray<{ readonly setting: string; readonly reason: string }>;

  constructor(scope: Construct, id: string, props: HardenedWorkloadProps) {
    super(scope, id);
    const name = props.name;
    const component = Component.of(this);
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
    const volumes = props.volumes ?? [];
    for (const e of props.secretEnv ?? []) component.consumesSecret({ name: e.secret, keys: [e.key], purpose: e.purpose });
    for (const v of props.volumes ?? []) if ('secret' in v.source) component.consumesSecret({ name: v.source.secret.name, keys: [...v.source.secret.keys], purpose: v.source.secret.purpose });
    const initContainers = (props.initContainers ?? []).map((c) => {
      const r = c.resources ?? props.resources;
      const q = { cpu: k8s.Quantity.fromString(r.cpu), memory: k8s.Quantity.fromString(r.memory) };
      return {
        name: c.name,
        image: imageRef(c.image ?? props.image),
        imagePullPolicy: 'IfNotPresent',
        args: [...c.args],
        resources: { requests: q, limits: q },
        securityContext: hardenedContainer(true),
        volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, ...volumes.filter((v) => c.writes.includes(v.name)).map((v) => ({ name: v.name, mountPath: v.mountPath, readOnly: false }))],
      };
    });
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
                securityContext: hardenedContainer(props.allowWritableRootFs === undefined),
                ...(probe(props.probes?.liveness ?? '') ? { livenessProbe: probe(props.probes!.liveness) } : {}),
                ...(probe(props.probes?.readiness ?? '') ? { readinessProbe: probe(props.probes!.readiness) } : {}),
                volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, ...volumes.map((v) => ({ name: v.name, mountPath: v.mountPath, readOnly: v.readOnly ?? true }))],
              },
            ],
            ...(initContainers.length > 0 ? { initContainers } : {}),
            volumes: [{ name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('64Mi') } }, ...volumes.map(volumeSource)],
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

    this.pods = component.addPods({
      name,
      labels: this.selector,
      ports: Object.fromEntries(props.ports.map((p) => [p.name, { port: p.port }])),
      serviceAccount: name,
    });

    // The baseline's loosenings are the policy rules' exceptions for this Deployment.
    if (props.allowWritableRootFs) component.exceptPolicy({ rule: 'pod-security/read-only-root-fs', object: this.deployment, reason: props.allowWritableRootFs.reason });
    if (props.mountServiceAccountToken) component.exceptPolicy({ rule: 'pod-security/service-account-token', object: this.deployment, reason: props.mountServiceAccountToken.reason });

    if (props.highAvailability) {
      this.podDisruptionBudget = new k8s.KubePodDisruptionBudget(this, 'PodDisruptionBudget', {
        metadata: { name },
        spec: { minAvailable: k8s.IntOrString.fromNumber(Math.max(1, props.replicas - 1)), selector: { matchLabels: this.selector } },
      });
    }
  }
}

function volumeSource(v: WorkloadVolume): k8s.Volume {
  if ('emptyDir' in v.source) {
    const e = v.source.emptyDir;
    return { name: v.name, emptyDir: { ...(e.medium ? { medium: e.medium } : {}), sizeLimit: k8s.Quantity.fromString(e.sizeLimit) } };
  }
  if ('configMap' in v.source) return { name: v.name, configMap: { name: v.source.configMap.name } };
  // 0440: readable by the owner and the pod's fsGroup only (the container runs as a non-root user in that group).
  if ('secret' in v.source) return { name: v.name, secret: { secretName: v.source.secret.name, defaultMode: 0o440, items: v.source.secret.keys.map((k) => ({ key: k, path: k })) } };
  return { name: v.name, persistentVolumeClaim: { claimName: v.source.persistentVolumeClaim.claimName, readOnly: true } };
}
