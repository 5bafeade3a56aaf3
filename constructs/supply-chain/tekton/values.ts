/**
 * The values Sovra sets on the tekton-operator chart 0.81.1, typed, and
 * their construction per profile. Every path exists in the chart's
 * values.yaml (the conformance test checks it against the real chart).
 */
import type { Profile } from '../../../profiles/profile.generated.js';
import type { ImageSpec } from '../../kit/image.js';
import { imageRef } from '../../kit/image.js';
import { OPERATOR_CONTROLLERS } from './catalog.js';

/**
 * The restricted security context of the operator's containers and of every pipeline step: upstream's own
 * manifests (config/kubernetes/base) run Tekton's containers with a read-only root and no capabilities;
 * 65532 is the nonroot user of ko's base image and of the control plane image.
 */
export const NONROOT_SECURITY_CONTEXT = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  runAsUser: 65532,
  runAsGroup: 65532,
  seccompProfile: { type: 'RuntimeDefault' },
} as const;

/** Release name; with the chart's name it gives the object names (`tekton-operator`, `tekton-operator-webhook`). */
export const OPERATOR_RELEASE = 'tekton-operator';
/** Namespace of the operator and its webhook (the component's). */
export const OPERATOR_NAMESPACE = 'tekton-operator';
/** Namespace the operator installs Pipelines and Chains into (TektonConfig spec.targetNamespace). */
export const TARGET_NAMESPACE = 'tekton-pipelines';

/** Pod labels the chart sets on the operator (its selector labels). */
export const OPERATOR_LABELS = { 'app.kubernetes.io/name': 'tekton-operator', 'app.kubernetes.io/instance': OPERATOR_RELEASE, 'app.kubernetes.io/component': 'operator' } as const;
/** Pod labels the chart sets on the operator's admission webhook. */
export const OPERATOR_WEBHOOK_LABELS = { 'app.kubernetes.io/name': 'tekton-operator', 'app.kubernetes.io/instance': OPERATOR_RELEASE, 'app.kubernetes.io/component': 'webhook' } as const;
/** Service account of both (rbac.create: the release's full name). */
export const OPERATOR_SERVICE_ACCOUNT = 'tekton-operator';

/** Ports of the chart's pods: the webhook's (values webhook.httpsWebhookPort) and the operator's metrics (the chart's metrics Service). */
export const OPERATOR_PORTS = { webhook: 8443, metrics: 9090 } as const;

/** `repository` and `tag` as the chart composes them (`repository:tag`); a locked digest rides in the tag. */
export interface ChartImage {
  readonly repository: string;
  readonly tag: string;
}

/** The chart writes `repository:tag`; `tag@sha256:…` makes that a digest reference when the image is locked. */
export function chartImage(image: ImageSpec): ChartImage {
  return { repository: `${image.registry}/${image.repository}`, tag: image.digest ? `${image.tag}@${image.digest}` : image.tag };
}

/** Requests and limits. */
export interface Resources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

/** An environment variable of the operator's containers (the chart quotes the value). */
export interface EnvVar {
  readonly name: string;
  readonly value: string;
}

/** Values Sovra sets on the chart (the subset it owns). */
export interface TektonOperatorValues {
  readonly installCRDs: true;
  readonly kubernetesMinVersion: string;
  readonly controllers: string;
  readonly rbac: { readonly create: true };
  readonly operator: {
    readonly replicas: number;
    readonly image: ChartImage & { readonly pullPolicy: 'IfNotPresent' };
    readonly autoInstallComponents: false;
    readonly defaultTargetNamespace: string;
    readonly logLevel: 'info';
    readonly resources: Resources;
    readonly additionalEnvs: readonly EnvVar[];
  };
  readonly webhook: {
    readonly replicas: number;
    readonly image: ChartImage & { readonly pullPolicy: 'IfNotPresent' };
    readonly httpsWebhookPort: number;
    readonly logLevel: 'info';
    readonly resources: Resources;
  };
  readonly webhookProxy: { readonly image: ChartImage };
  readonly service: { readonly createServiceMonitor: false };
  readonly podSecurityContext: { readonly runAsNonRoot: true; readonly seccompProfile: { readonly type: 'RuntimeDefault' } };
  readonly securityContext: {
    readonly allowPrivilegeEscalation: false;
    readonly capabilities: { readonly drop: readonly ['ALL'] };
    readonly readOnlyRootFilesystem: true;
    readonly runAsNonRoot: true;
    readonly runAsUser: number;
    readonly runAsGroup: number;
    readonly seccompProfile: { readonly type: 'RuntimeDefault' };
  };
}

/**
 * The operator's image variables (pkg/reconciler/common/transformers.go at
 * v0.81.1): `IMAGE_<COMPONENT>_<container name>` replaces a container's
 * image, `IMAGE_<COMPONENT>_ARG_<flag>` a controller flag's image (names in
 * upper case, dashes as underscores). Set only for a locked image or one a
 * profile's imageOverrides replaces: the operator then runs Sovra's
 * reference instead of its payload's.
 */
export const OPERAND_IMAGE_VARIABLES = {
  pipelinesController: 'IMAGE_PIPELINES_TEKTON_PIPELINES_CONTROLLER',
  pipelinesWebhook: 'IMAGE_PIPELINES_WEBHOOK',
  events: 'IMAGE_PIPELINES_TEKTON_EVENTS_CONTROLLER',
  resolvers: 'IMAGE_PIPELINES_CONTROLLER',
  entrypoint: 'IMAGE_PIPELINES_ARG__ENTRYPOINT_IMAGE',
  nop: 'IMAGE_PIPELINES_ARG__NOP_IMAGE',
  workingDirInit: 'IMAGE_PIPELINES_ARG__WORKINGDIRINIT_IMAGE',
  chainsController: 'IMAGE_CHAINS_TEKTON_CHAINS_CONTROLLER',
} as const;

/** Images of the operator's payload, by role (keys of OPERAND_IMAGE_VARIABLES). */
export type OperandImages = Readonly<Record<keyof typeof OPERAND_IMAGE_VARIABLES, ImageSpec>>;

/** The operator's image variables for every locked or replaced operand image, sorted by name. */
export function operandImageEnv(images: OperandImages): EnvVar[] {
  return (Object.keys(OPERAND_IMAGE_VARIABLES) as Array<keyof typeof OPERAND_IMAGE_VARIABLES>)
    .filter((k) => images[k].digest !== undefined || images[k].replaces !== undefined)
    .map((k) => ({ name: OPERAND_IMAGE_VARIABLES[k], value: imageRef(images[k]) }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** What the values are built from. */
export interface OperatorValuesInput {
  readonly profile: Profile;
  readonly operator: ImageSpec;
  readonly webhook: ImageSpec;
  readonly proxyWebhook: ImageSpec;
  readonly operands: OperandImages;
  /** The Kubernetes version of the platform's distribution, e.g. `v1.30.14`. */
  readonly kubernetesVersion: string;
}

/** The chart values for a profile. */
export function operatorValues(i: OperatorValuesInput): TektonOperatorValues {
  // Leader election (knative) is always on: a second replica stands by; the webhook's replicas all serve.
  const replicas = i.profile.highAvailability ? 2 : 1;
  return {
    installCRDs: true,
    // Knative's start-up check: the operator refuses to run on an older API server, and hands the value to its operands.
    kubernetesMinVersion: i.kubernetesVersion,
    controllers: OPERATOR_CONTROLLERS.join(','),
    rbac: { create: true },
    operator: {
      replicas,
      image: { ...chartImage(i.operator), pullPolicy: 'IfNotPresent' },
      // Sovra writes the TektonConfig itself; the operator must not create its own (profile "all").
      autoInstallComponents: false,
      defaultTargetNamespace: TARGET_NAMESPACE,
      logLevel: 'info',
      resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
      additionalEnvs: operandImageEnv(i.operands),
    },
    webhook: {
      replicas,
      image: { ...chartImage(i.webhook), pullPolicy: 'IfNotPresent' },
      httpsWebhookPort: OPERATOR_PORTS.webhook,
      logLevel: 'info',
      resources: { requests: { cpu: '20m', memory: '64Mi' }, limits: { cpu: '200m', memory: '256Mi' } },
    },
    webhookProxy: { image: chartImage(i.proxyWebhook) },
    service: { createServiceMonitor: false },
    podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    securityContext: NONROOT_SECURITY_CONTEXT,
  };
}
