/**
 * The values Sovra writes for the cert-manager and trust-manager charts,
 * typed, from the profile: hardened pods (the charts' pod and container
 * security contexts), requests and limits, replicas, PodDisruptionBudgets
 * and topology spread on highly available profiles, TLS 1.3 on both
 * webhooks, and nothing installed that the platform does not use.
 */
import type { Profile } from '../../../profiles/profile.generated.js';
import type { ImageSpec } from '../../kit/image.js';
import { NAMESPACES } from '../../kit/shared-names.js';

/** Release names; part of object names (the charts name their objects after them) and Terraform addresses. */
export const RELEASES = { certManager: 'cert-manager', trustManager: 'trust-manager' } as const;

/** The Go TLS version name both webhooks take as their minimum (k8s.io/component-base `cliflag.TLSVersion`). */
export const WEBHOOK_MIN_TLS = 'VersionTLS13';

/** The controller flag that keeps only the controllers the platform uses (cert-manager's `--controllers`, v1.21.1 names). */
export const CONTROLLERS_FLAG = '--controllers=*,-orders,-challenges,-certificaterequests-issuer-acme,-certificaterequests-issuer-venafi,-ingress-shim';

/** Lifetime of trust-manager's webhook serving certificate (issued by cert-manager, renewed at two thirds). */
export const TRUST_MANAGER_WEBHOOK_CERT_DURATION = '2160h';

/** An image as both charts' shared `image` helper takes it: repository with registry, tag, and the digest when locked. */
export interface ChartImage {
  readonly repository: string;
  readonly tag: string;
  readonly digest?: string;
  readonly pullPolicy: 'IfNotPresent';
}

/** Requests and limits of one container. */
export interface Resources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

/** Pod-level security context (runs as non-root under the runtime's seccomp profile). */
export interface PodSecurity {
  readonly runAsNonRoot: true;
  readonly seccompProfile: { readonly type: 'RuntimeDefault' };
}

/** Container-level security context: no privilege escalation, read-only root, no capabilities. */
export interface ContainerSecurity extends PodSecurity {
  readonly allowPrivilegeEscalation: false;
  readonly readOnlyRootFilesystem: true;
  readonly capabilities: { readonly drop: readonly ['ALL'] };
}

/** A topology spread constraint over nodes. */
export interface SpreadConstraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly whenUnsatisfiable: 'ScheduleAnyway' | 'DoNotSchedule';
  readonly labelSelector: { readonly matchLabels: Readonly<Record<string, string>> };
}

/** What every cert-manager deployment (controller, webhook, cainjector) takes. */
export interface CertManagerPodValues {
  readonly replicaCount: number;
  readonly image: ChartImage;
  readonly resources: Resources;
  readonly securityContext: PodSecurity;
  readonly containerSecurityContext: ContainerSecurity;
  readonly podDisruptionBudget: { readonly enabled: boolean; readonly maxUnavailable: number };
  readonly topologySpreadConstraints: readonly SpreadConstraint[];
  readonly extraArgs: readonly string[];
}

/** Values Sovra sets on the cert-manager chart. */
export interface CertManagerValues extends CertManagerPodValues {
  readonly crds: { readonly enabled: true; readonly keep: true };
  readonly global: { readonly leaderElection: { readonly namespace: string } };
  readonly webhook: CertManagerPodValues;
  readonly cainjector: CertManagerPodValues & { readonly enabled: true };
  readonly startupapicheck: { readonly enabled: false };
}

/** Values Sovra sets on the trust-manager chart. */
export interface TrustManagerValues {
  readonly crds: { readonly enabled: true; readonly keep: true };
  readonly replicaCount: number;
  readonly image: ChartImage;
  readonly resources: Resources;
  readonly podSecurityContext: PodSecurity;
  readonly podDisruptionBudget: { readonly enabled: boolean; readonly maxUnavailable: number };
  readonly topologySpreadConstraints: readonly SpreadConstraint[];
  readonly defaultPackage: { readonly enabled: false };
  readonly secretTargets: { readonly enabled: false };
  readonly app: {
    readonly minTLSVersion: string;
    readonly trust: { readonly namespace: string };
    readonly securityContext: ContainerSecurity;
    readonly webhook: { readonly tls: { readonly helmCert: { readonly enabled: false }; readonly certificate: { readonly duration: string } } };
  };
}

/** Pod labels the cert-manager chart (release `cert-manager`) puts on each deployment's pods; the pod groups select them. */
export const CERT_MANAGER_POD_LABELS = {
  controller: { 'app.kubernetes.io/name': 'cert-manager', 'app.kubernetes.io/instance': RELEASES.certManager, 'app.kubernetes.io/component': 'controller' },
  webhook: { 'app.kubernetes.io/name': 'webhook', 'app.kubernetes.io/instance': RELEASES.certManager, 'app.kubernetes.io/component': 'webhook' },
  cainjector: { 'app.kubernetes.io/name': 'cainjector', 'app.kubernetes.io/instance': RELEASES.certManager, 'app.kubernetes.io/component': 'cainjector' },
} as const;

/** Pod labels the trust-manager chart (release `trust-manager`) puts on its pods. */
export const TRUST_MANAGER_POD_LABELS = { app: 'trust-manager', 'app.kubernetes.io/name': 'trust-manager', 'app.kubernetes.io/instance': RELEASES.trustManager } as const;

/** ServiceAccounts the charts create for each deployment (names follow the release names). */
export const SERVICE_ACCOUNTS = { controller: 'cert-manager', webhook: 'cert-manager-webhook', cainjector: 'cert-manager-cainjector', trustManager: 'trust-manager' } as const;

/** Requests and limits per container: small controllers; cainjector caches every webhook and CRD it patches. */
const RESOURCES = {
  controller: { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
  webhook: { requests: { cpu: '25m', memory: '64Mi' }, limits: { cpu: '250m', memory: '256Mi' } },
  cainjector: { requests: { cpu: '25m', memory: '128Mi' }, limits: { cpu: '250m', memory: '512Mi' } },
  trustManager: { requests: { cpu: '25m', memory: '64Mi' }, limits: { cpu: '250m', memory: '256Mi' } },
} as const satisfies Record<string, Resources>;

const POD_SECURITY: PodSecurity = { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
const CONTAINER_SECURITY: ContainerSecurity = { ...POD_SECURITY, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };

/** The chart form of an image: by digest (after the tag) when the lock has one, by tag otherwise. */
export function chartImage(image: ImageSpec): ChartImage {
  return { repository: `${image.registry}/${image.repository}`, tag: image.tag, ...(image.digest ? { digest: image.digest } : {}), pullPolicy: 'IfNotPresent' };
}

/**
 * Spread over nodes on highly available profiles. Soft (`ScheduleAnyway`):
 * with a node down, a hard constraint could keep a replacement pod pending;
 * the PodDisruptionBudget and the replica count carry the availability.
 */
function spread(profile: Profile, labels: Readonly<Record<string, string>>): SpreadConstraint[] {
  return profile.highAvailability ? [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { ...labels } } }] : [];
}

function podValues(profile: Profile, image: ImageSpec, resources: Resources, labels: Readonly<Record<string, string>>, extraArgs: readonly string[]): CertManagerPodValues {
  return {
    replicaCount: profile.replicas.stateless,
    image: chartImage(image),
    resources,
    securityContext: POD_SECURITY,
    containerSecurityContext: CONTAINER_SECURITY,
    podDisruptionBudget: { enabled: profile.highAvailability, maxUnavailable: 1 },
    topologySpreadConstraints: spread(profile, labels),
    extraArgs,
  };
}

/** cert-manager's values for `profile`, with the images as `addImage` resolved them. */
export function certManagerValues(profile: Profile, images: { readonly controller: ImageSpec; readonly webhook: ImageSpec; readonly cainjector: ImageSpec }): CertManagerValues {
  return {
    crds: { enabled: true, keep: true },
    // Leader election in cert-manager's own namespace, so the chart grants it no Role in kube-system.
    global: { leaderElection: { namespace: NAMESPACES.certManager } },
    ...podValues(profile, images.controller, RESOURCES.controller, CERT_MANAGER_POD_LABELS.controller, [CONTROLLERS_FLAG]),
    webhook: podValues(profile, images.webhook, RESOURCES.webhook, CERT_MANAGER_POD_LABELS.webhook, [`--tls-min-version=${WEBHOOK_MIN_TLS}`]),
    cainjector: { enabled: true, ...podValues(profile, images.cainjector, RESOURCES.cainjector, CERT_MANAGER_POD_LABELS.cainjector, []) },
    // A post-install hook Job that only waits for the webhook to answer: the
    // objects Sovra applies after the chart are retried by the K3s deploy
    // controller and ordered after the release by Terraform, so it would add
    // an image, a ServiceAccount and API access for nothing.
    startupapicheck: { enabled: false },
  };
}

/** trust-manager's values for `profile`. */
export function trustManagerValues(profile: Profile, image: ImageSpec): TrustManagerValues {
  return {
    crds: { enabled: true, keep: true },
    replicaCount: profile.replicas.stateless,
    image: chartImage(image),
    resources: RESOURCES.trustManager,
    podSecurityContext: POD_SECURITY,
    podDisruptionBudget: { enabled: profile.highAvailability, maxUnavailable: 1 },
    topologySpreadConstraints: spread(profile, { app: TRUST_MANAGER_POD_LABELS.app }),
    // The default package is Debian's set of public web roots; the platform's
    // bundle carries only the platform's own CAs, so nothing public is trusted
    // by default (and its image is not shipped).
    defaultPackage: { enabled: false },
    secretTargets: { enabled: false },
    app: {
      minTLSVersion: WEBHOOK_MIN_TLS,
      // Bundle sources are read from cert-manager's namespace, where the bootstrap root CA's Secret is.
      trust: { namespace: NAMESPACES.certManager },
      securityContext: CONTAINER_SECURITY,
      // Serving certificate from cert-manager (a Certificate the chart renders), not one generated by helm at each upgrade.
      webhook: { tls: { helmCert: { enabled: false }, certificate: { duration: TRUST_MANAGER_WEBHOOK_CERT_DURATION } } },
    },
  };
}
