/**
 * The values Sovra writes for each Istio chart, as pure functions of the
 * profile's choices. Every chart gets its images as full references (the
 * charts use a value that contains `/` as is), so a locked image renders by
 * digest; `global.hub` and `global.tag` are written from the same pins.
 */
import { imageRef, type ImageSpec } from '../../kit/image.js';
import { NAMESPACES } from '../../kit/shared-names.js';

/** The data plane a profile chooses. */
export type MeshMode = 'sidecar' | 'ambient';

/** Namespace of the node agents (istio-cni, ztunnel): like Cilium, kube-system, which Pod Security exempts (they need host privileges). */
export const NODE_AGENT_NAMESPACE = 'kube-system';

/** The mesh's trust domain: the first part of every workload's SPIFFE identity. */
export const TRUST_DOMAIN = 'cluster.local';

/** Release names; part of object names and Terraform addresses. `ztunnel` is also the name istiod trusts by default. */
export const RELEASES = { base: 'istio-base', istiod: 'istiod', cni: 'istio-cni', ztunnel: 'ztunnel', gateway: 'sovra-gateway' } as const;

/** The seccomp profile of every pod and injected container: restricted Pod Security requires it. */
const RUNTIME_DEFAULT = { type: 'RuntimeDefault' } as const;

/** Where the CNI configuration and plugins live on the nodes: the directories Cilium writes (its chart's `cni.confPath` and `cni.binPath`). */
export interface CniPaths {
  readonly confDir: string;
  readonly binDir: string;
}

/** The images of the mesh, resolved through the image lock. */
export interface MeshImages {
  readonly pilot: ImageSpec;
  readonly proxy: ImageSpec;
  readonly installCni: ImageSpec;
  readonly ztunnel?: ImageSpec;
}

/** `global.hub` and `global.tag` from a pin (`docker.io/istio/pilot:1.30.3` gives `docker.io/istio`, `1.30.3`). */
function hubAndTag(image: ImageSpec): { hub: string; tag: string } {
  return { hub: `${image.registry}/${image.repository.slice(0, image.repository.lastIndexOf('/'))}`, tag: image.tag };
}

/** Requests and limits of a chart's container. */
type Resources = { requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string } };
function resources(cpu: string, memory: string, limitCpu = cpu, limitMemory = memory): Resources {
  return { requests: { cpu, memory }, limits: { cpu: limitCpu, memory: limitMemory } };
}

/** Values of the `base` chart (CRDs and the default revision's validation). */
export interface BaseValues {
  readonly defaultRevision: string;
  readonly global: { readonly istioNamespace: string; readonly enableReaderRBAC: boolean };
}

/** The mesh configuration istiod serves to every proxy (the `mesh` key of ConfigMap `istio`). */
export interface MeshConfig {
  readonly rootNamespace: string;
  readonly trustDomain: string;
  readonly outboundTrafficPolicy: { readonly mode: 'REGISTRY_ONLY' };
  readonly meshMTLS: { readonly minProtocolVersion: 'TLSV1_3' };
  readonly enablePrometheusMerge: boolean;
  readonly defaultConfig: {
    readonly holdApplicationUntilProxyStarts: boolean;
    readonly proxyMetadata: Readonly<Record<string, string>>;
  };
}

/** Values of the `istiod` chart that Sovra sets. */
export interface IstiodValues {
  readonly global: {
    readonly hub: string;
    readonly tag: string;
    readonly istioNamespace: string;
    readonly logAsJson: boolean;
    readonly defaultPodDisruptionBudget: { readonly enabled: boolean };
    readonly proxy: { readonly image: string; readonly privileged: boolean; readonly seccompProfile: typeof RUNTIME_DEFAULT };
    readonly proxy_init: { readonly image: string };
  };
  readonly image: string;
  readonly replicaCount: number;
  readonly autoscaleEnabled: boolean;
  readonly resources: Resources;
  readonly seccompProfile: typeof RUNTIME_DEFAULT;
  readonly topologySpreadConstraints: ReadonlyArray<Record<string, unknown>>;
  /** Injection without NET_ADMIN: redirection is set up by the istio-cni node agent. */
  readonly cni: { readonly enabled: boolean };
  readonly env: Readonly<Record<string, string>>;
  readonly trustedZtunnelNamespace?: string;
  readonly meshConfig: MeshConfig;
  /** Pod security context of injected gateways (replaces the template's default). */
  readonly gateways: { readonly securityContext: Record<string, unknown>; readonly seccompProfile: typeof RUNTIME_DEFAULT };
}

/** Values of the `cni` chart that Sovra sets. */
export interface CniValues {
  readonly global: { readonly hub: string; readonly tag: string; readonly logAsJson: boolean };
  readonly image: string;
  readonly cniConfDir: string;
  readonly cniBinDir: string;
  readonly chained: boolean;
  readonly excludeNamespaces: readonly string[];
  readonly ambient: { readonly enabled: boolean };
  readonly seccompProfile: typeof RUNTIME_DEFAULT;
}

/** Values of the `ztunnel` chart that Sovra sets. */
export interface ZtunnelValues {
  readonly hub: string;
  readonly tag: string;
  readonly image: string;
  readonly istioNamespace: string;
  readonly logAsJson: boolean;
}

/** A port of the gateway's Service. */
export interface GatewayServicePort {
  readonly name: string;
  readonly port: number;
  readonly targetPort: number;
  readonly protocol: 'TCP';
  readonly nodePort?: number;
}

/** Values of the `gateway` chart that Sovra sets. */
export interface GatewayValues {
  readonly service: { readonly type: 'LoadBalancer' | 'NodePort'; readonly ports: readonly GatewayServicePort[] };
  readonly autoscaling: { readonly enabled: boolean };
  readonly replicaCount: number;
  readonly podDisruptionBudget: Record<string, unknown>;
  readonly resources: Resources;
  readonly securityContext: Record<string, unknown>;
  readonly containerSecurityContext: Record<string, unknown>;
  readonly topologySpreadConstraints: ReadonlyArray<Record<string, unknown>>;
}

/** The gateway's HTTPS port: the Service port, the Gateway server port and the port Envoy binds (the chart's pod sysctl lets a non-root Envoy bind it). */
export const GATEWAY_HTTPS_PORT = 443;
/** The fixed node port of the gateway on K3s, where ServiceLB is disabled and no load balancer exists. */
export const GATEWAY_NODE_PORT = 30443;
/** Pod labels the gateway chart sets for release `sovra-gateway` (gateway.selectorLabels). */
export const GATEWAY_POD_LABELS = { app: RELEASES.gateway, istio: RELEASES.gateway } as const;
/** Pod labels of istiod (its chart's Deployment template). */
export const ISTIOD_POD_LABELS = { app: 'istiod', istio: 'pilot' } as const;
/** istiod's ports: XDS and CA over TLS, the webhooks, metrics. */
export const ISTIOD_PORTS = { xds: 15012, webhook: 15017, metrics: 15014 } as const;
/** Pod labels of ztunnel (its chart's DaemonSet template). */
export const ZTUNNEL_POD_LABELS = { app: 'ztunnel' } as const;
/** ztunnel's port for HBONE (mTLS tunnels between ambient pods), opened in the pods' own network namespace. */
export const HBONE_PORT = 15008;

/** The pod security context of the gateway: non-root, RuntimeDefault seccomp, and the safe sysctl that lets Envoy bind 443 (allowed by restricted Pod Security). */
const GATEWAY_POD_SECURITY = {
  runAsNonRoot: true,
  seccompProfile: RUNTIME_DEFAULT,
  sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }],
};

function spread(app: Readonly<Record<string, string>>): Array<Record<string, unknown>> {
  return [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { ...app } } }];
}

/** Values of the base chart. */
export function baseValues(): BaseValues {
  // The reader RBAC serves only multicluster remote secrets, which Sovra does not use.
  return { defaultRevision: 'default', global: { istioNamespace: NAMESPACES.istio, enableReaderRBAC: false } };
}

/** The mesh configuration: STRICT-ready TLS 1.3, ECDSA P-256 workload keys, REGISTRY_ONLY egress, apps wait for their proxy. */
export function meshConfig(mode: MeshMode): MeshConfig {
  return {
    rootNamespace: NAMESPACES.istio,
    trustDomain: TRUST_DOMAIN,
    outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' },
    meshMTLS: { minProtocolVersion: 'TLSV1_3' },
    enablePrometheusMerge: true,
    defaultConfig: {
      holdApplicationUntilProxyStarts: true,
      // Workload keys are RSA 2048 unless these are set (istio-agent's ECC_SIGNATURE_ALGORITHM, ECC_CURVE).
      proxyMetadata: { ECC_CURVE: 'P256', ECC_SIGNATURE_ALGORITHM: 'ECDSA', ...(mode === 'ambient' ? { ISTIO_META_ENABLE_HBONE: 'true' } : {}) },
    },
  };
}

/** Values of istiod for a profile. */
export function istiodValues(o: { mode: MeshMode; images: MeshImages; replicas: number; highAvailability: boolean }): IstiodValues {
  const ha = o.highAvailability;
  return {
    global: {
      ...hubAndTag(o.images.pilot),
      istioNamespace: NAMESPACES.istio,
      logAsJson: true,
      // A budget of one available replica would block every node drain on a single-replica profile.
      defaultPodDisruptionBudget: { enabled: ha },
      proxy: { image: imageRef(o.images.proxy), privileged: false, seccompProfile: RUNTIME_DEFAULT },
      proxy_init: { image: imageRef(o.images.proxy) },
    },
    image: imageRef(o.images.pilot),
    replicaCount: o.replicas,
    autoscaleEnabled: false,
    resources: ha ? resources('500m', '2Gi', '2', '4Gi') : resources('200m', '512Mi', '1', '1Gi'),
    seccompProfile: RUNTIME_DEFAULT,
    topologySpreadConstraints: ha ? spread({ app: ISTIOD_POD_LABELS.app }) : [],
    cni: { enabled: true },
    env: o.mode === 'ambient' ? { PILOT_ENABLE_AMBIENT: 'true' } : {},
    ...(o.mode === 'ambient' ? { trustedZtunnelNamespace: NODE_AGENT_NAMESPACE } : {}),
    meshConfig: meshConfig(o.mode),
    gateways: { securityContext: GATEWAY_POD_SECURITY, seccompProfile: RUNTIME_DEFAULT },
  };
}

/** Values of istio-cni: chained after Cilium in Cilium's configuration directory; ambient redirection when the mode asks for it. */
export function cniValues(o: { mode: MeshMode; images: MeshImages; paths: CniPaths }): CniValues {
  return {
    global: { ...hubAndTag(o.images.installCni), logAsJson: true },
    image: imageRef(o.images.installCni),
    cniConfDir: o.paths.confDir,
    cniBinDir: o.paths.binDir,
    chained: true,
    excludeNamespaces: [NODE_AGENT_NAMESPACE],
    ambient: { enabled: o.mode === 'ambient' },
    seccompProfile: RUNTIME_DEFAULT,
  };
}

/** Values of ztunnel (ambient only). */
export function ztunnelValues(image: ImageSpec): ZtunnelValues {
  return { ...hubAndTag(image), image: imageRef(image), istioNamespace: NAMESPACES.istio, logAsJson: true };
}

/**
 * Values of the ingress gateway. Its Service is the one way into the
 * platform: a LoadBalancer where the site's network provides one (RKE2 in a
 * datacenter), a fixed NodePort on K3s, where ServiceLB is disabled.
 */
export function gatewayValues(o: { serviceType: 'LoadBalancer' | 'NodePort'; replicas: number; highAvailability: boolean }): GatewayValues {
  const https: GatewayServicePort = { name: 'https', port: GATEWAY_HTTPS_PORT, targetPort: GATEWAY_HTTPS_PORT, protocol: 'TCP', ...(o.serviceType === 'NodePort' ? { nodePort: GATEWAY_NODE_PORT } : {}) };
  return {
    service: { type: o.serviceType, ports: [https] },
    autoscaling: { enabled: false },
    replicaCount: o.replicas,
    podDisruptionBudget: o.highAvailability ? { minAvailable: Math.max(1, o.replicas - 1) } : {},
    resources: o.highAvailability ? resources('500m', '512Mi', '2', '1Gi') : resources('100m', '128Mi', '1', '512Mi'),
    securityContext: GATEWAY_POD_SECURITY,
    containerSecurityContext: {
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: RUNTIME_DEFAULT,
    },
    topologySpreadConstraints: o.highAvailability ? spread({ app: GATEWAY_POD_LABELS.app }) : [],
  };
}
