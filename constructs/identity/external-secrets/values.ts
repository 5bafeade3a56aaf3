/**
 * The values Sovra sets on the external-secrets chart 2.9.0, typed, and
 * their construction per profile. Every path exists in the chart's
 * values.yaml (the conformance test checks it against the real chart).
 */
import type { Profile } from '../../../profiles/profile.generated.js';
import type { ImageSpec } from '../../kit/image.js';
import { EXTERNAL_SECRETS_OPENBAO_AUTH, PLATFORM_ISSUER } from '../../kit/shared-names.js';

/** Release name; with the chart's name it gives every object name (`external-secrets`, `external-secrets-webhook`). */
export const EXTERNAL_SECRETS_RELEASE = 'external-secrets';

/** Pod labels the chart sets on the controller (its selector labels). */
export const CONTROLLER_LABELS = { 'app.kubernetes.io/name': 'external-secrets', 'app.kubernetes.io/instance': EXTERNAL_SECRETS_RELEASE } as const;
/** Pod labels the chart sets on the admission webhook (its selector labels). */
export const WEBHOOK_LABELS = { 'app.kubernetes.io/name': 'external-secrets-webhook', 'app.kubernetes.io/instance': EXTERNAL_SECRETS_RELEASE } as const;
/** Service account of the webhook: the chart's fixed default name. */
export const WEBHOOK_SERVICE_ACCOUNT = 'external-secrets-webhook';
/** Secret the webhook serves TLS from: written by cert-manager from the chart's Certificate `<fullname>-webhook`. */
export const WEBHOOK_TLS_SECRET = 'external-secrets-webhook';

/** Ports the chart's containers listen on (values.yaml defaults, which Sovra keeps). */
export const PORTS = { metrics: 8080, webhook: 10250, webhookHealth: 8081, controllerHealth: 8082 } as const;

/**
 * Lifetime of the webhook certificate and its renewal. The webhook stops when
 * its certificate would be invalid `lookahead` from now (ESO 2.9.0,
 * cmd/controller/webhook.go; default 90 days), so the lookahead must be
 * shorter than the renewal window or a 90-day certificate would stop it at
 * once.
 */
export const WEBHOOK_CERT = { duration: '2160h', renewBefore: '360h', lookahead: '72h' } as const;

/** Image values as the chart composes them: `<repository>:<tag>` (a locked digest rides in the tag). */
export interface ChartImage {
  readonly repository: string;
  readonly tag: string;
  readonly pullPolicy: 'IfNotPresent';
}

/** The chart writes `repository:tag`; `tag@sha256:…` makes that a digest reference when the image is locked. */
export function chartImage(image: ImageSpec): ChartImage {
  return { repository: `${image.registry}/${image.repository}`, tag: image.digest ? `${image.tag}@${image.digest}` : image.tag, pullPolicy: 'IfNotPresent' };
}

/** Container security context (the chart's keys; `enabled` is the chart's switch, removed when it renders). */
export interface ContainerSecurity {
  readonly enabled: true;
  readonly allowPrivilegeEscalation: false;
  readonly capabilities: { readonly drop: readonly ['ALL'] };
  readonly readOnlyRootFilesystem: true;
  readonly runAsNonRoot: true;
  readonly runAsUser: number;
  readonly seccompProfile: { readonly type: 'RuntimeDefault' };
}

/** Pod security context. */
export interface PodSecurity {
  readonly enabled: true;
  readonly runAsNonRoot: true;
  readonly seccompProfile: { readonly type: 'RuntimeDefault' };
}

/** Requests and limits. */
export interface Resources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

/** A topology spread constraint; the chart adds the label selector of the pods it is set on. */
export interface Spread {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway';
}

/** The chart's PodDisruptionBudget switch. */
export interface Pdb {
  readonly enabled: boolean;
  readonly minAvailable: number;
}

/** What the chart sets the same way for each of its pods (controller and webhook): hardening, sizing, spread and probes. */
export interface HardenedPodValues {
  readonly podSecurityContext: PodSecurity;
  readonly securityContext: ContainerSecurity;
  readonly resources: Resources;
  readonly podDisruptionBudget: Pdb;
  readonly topologySpreadConstraints: readonly Spread[];
  readonly livenessProbe: { readonly enabled: true };
  readonly readinessProbe: { readonly enabled: true };
}

/** Values Sovra sets on the chart (the subset it owns). */
export interface ExternalSecretsValues extends HardenedPodValues {
  readonly installCRDs: true;
  readonly 'bitwarden-sdk-server': { readonly enabled: false };
  readonly replicaCount: number;
  readonly leaderElect: true;
  readonly image: ChartImage;
  readonly serviceAccount: { readonly create: true; readonly name: string; readonly automount: true };
  readonly rbac: {
    readonly create: true;
    readonly serviceAccountTokenCreate: false;
    readonly aggregateToView: true;
    readonly aggregateToEdit: false;
    readonly aggregateToAdmin: false;
  };
  readonly processClusterExternalSecret: false;
  readonly processClusterPushSecret: false;
  readonly processPushSecret: false;
  readonly processClusterGenerator: false;
  readonly serviceMonitor: { readonly enabled: false };
  readonly webhook: HardenedPodValues & {
    readonly create: true;
    readonly replicaCount: number;
    readonly failurePolicy: 'Fail';
    readonly image: ChartImage;
    readonly lookaheadInterval: string;
    readonly extraArgs: { readonly 'tls-min-version': '1.3' };
    readonly certManager: {
      readonly enabled: true;
      readonly addInjectorAnnotations: true;
      readonly cert: {
        readonly create: true;
        readonly issuerRef: { readonly group: 'cert-manager.io'; readonly kind: 'ClusterIssuer'; readonly name: string };
        readonly duration: string;
        readonly renewBefore: string;
        readonly privateKey: { readonly algorithm: 'ECDSA'; readonly size: 256; readonly encoding: 'PKCS8'; readonly rotationPolicy: 'Always' };
      };
    };
    readonly serviceAccount: { readonly create: true; readonly automount: true };
  };
  readonly certController: { readonly create: false };
}

const POD_SECURITY: PodSecurity = { enabled: true, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
// The chart's own defaults, written out so that what the pods run with is in the output and checked.
const CONTAINER_SECURITY: ContainerSecurity = {
  enabled: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  runAsUser: 1000,
  seccompProfile: { type: 'RuntimeDefault' },
};

/** Replicas per profile (stateless: leader election on the controller, any replica serves the webhook), PDB and spread when there are more than one. */
function scaling(replicas: number): { replicas: number; pdb: Pdb; spread: readonly Spread[] } {
  return {
    replicas,
    pdb: { enabled: replicas > 1, minAvailable: 1 },
    spread: replicas > 1 ? [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' }] : [],
  };
}

/** The chart values for `profile`, running `image`. */
export function externalSecretsValues(profile: Profile, image: ImageSpec): ExternalSecretsValues {
  const s = scaling(profile.highAvailability ? Math.max(profile.replicas.stateless, 2) : profile.replicas.stateless);
  const img = chartImage(image);
  return {
    installCRDs: true,
    'bitwarden-sdk-server': { enabled: false },
    replicaCount: s.replicas,
    // Also with one replica: a rolling update briefly runs two controllers.
    leaderElect: true,
    image: img,
    serviceAccount: { create: true, name: EXTERNAL_SECRETS_OPENBAO_AUTH.serviceAccount, automount: true },
    rbac: { create: true, serviceAccountTokenCreate: false, aggregateToView: true, aggregateToEdit: false, aggregateToAdmin: false },
    processClusterExternalSecret: false,
    processClusterPushSecret: false,
    processPushSecret: false,
    processClusterGenerator: false,
    podSecurityContext: POD_SECURITY,
    securityContext: CONTAINER_SECURITY,
    resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
    podDisruptionBudget: s.pdb,
    topologySpreadConstraints: s.spread,
    livenessProbe: { enabled: true },
    readinessProbe: { enabled: true },
    serviceMonitor: { enabled: false },
    webhook: {
      create: true,
      replicaCount: s.replicas,
      failurePolicy: 'Fail',
      image: img,
      lookaheadInterval: WEBHOOK_CERT.lookahead,
      extraArgs: { 'tls-min-version': '1.3' },
      certManager: {
        enabled: true,
        addInjectorAnnotations: true,
        cert: {
          create: true,
          issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: PLATFORM_ISSUER },
          duration: WEBHOOK_CERT.duration,
          renewBefore: WEBHOOK_CERT.renewBefore,
          privateKey: { algorithm: 'ECDSA', size: 256, encoding: 'PKCS8', rotationPolicy: 'Always' },
        },
      },
      serviceAccount: { create: true, automount: true },
      podSecurityContext: POD_SECURITY,
      securityContext: CONTAINER_SECURITY,
      resources: { requests: { cpu: '20m', memory: '64Mi' }, limits: { cpu: '200m', memory: '256Mi' } },
      podDisruptionBudget: s.pdb,
      topologySpreadConstraints: s.spread,
      livenessProbe: { enabled: true },
      readinessProbe: { enabled: true },
    },
    // cert-manager issues the webhook certificate, so the chart's own certificate controller is not installed.
    certController: { create: false },
  };
}
