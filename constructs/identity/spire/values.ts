/**
 * The values Sovra writes for the spire chart 0.30.0, typed: the subset of
 * the umbrella chart and its spire-server, spire-agent and spiffe-csi-driver
 * subcharts that Sovra sets. Built from the profile's settings and the
 * resolved images by one pure function, so the component, its claims and
 * the conformance test read the same object.
 */
import type { ImageSpec } from '../../kit/image.js';
import type { Toleration } from '../../kit/gpu.js';
import { SPIRE_WORKLOAD_API } from '../../kit/shared-names.js';
import type { SpireSettings } from '../../../profiles/profile.generated.js';

/** An image as the spire charts take it; a locked image's digest goes in `tag`, which the chart renders as `repository@sha256:…`. */
export interface SpireChartImage {
  readonly registry: string;
  readonly repository: string;
  readonly tag: string;
  readonly pullPolicy: 'IfNotPresent';
}

/** The chart's image values for `image`: by digest when the lock has one, by tag otherwise. */
export function spireChartImage(image: ImageSpec): SpireChartImage {
  return { registry: image.registry, repository: image.repository, tag: image.digest ?? image.tag, pullPolicy: 'IfNotPresent' };
}

/** Requests and limits of one container. */
export interface Resources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

/** A hardened container security context (the DESIGN.md baseline). */
export interface ContainerSecurityContext {
  readonly allowPrivilegeEscalation: false;
  readonly readOnlyRootFilesystem: true;
  readonly runAsNonRoot: true;
  readonly capabilities: { readonly drop: readonly ['ALL'] };
  readonly seccompProfile: { readonly type: 'RuntimeDefault' };
}

/** A PostgreSQL option of the server's connection string (`key=value`, appended as written). */
export type PostgresOption = Readonly<Record<string, string>>;

/** The server's datastore: SQLite in its volume, or a PostgreSQL cluster shared by every replica. */
export type SpireDataStore =
  | { readonly databaseType: 'sqlite3' }
  | {
      readonly databaseType: 'postgres';
      readonly host: string;
      readonly port: number;
      readonly databaseName: string;
      readonly username: string;
      /** TLS of the connection: `sslmode`, `sslrootcert`. */
      readonly options: readonly PostgresOption[];
      /** The password comes from this Secret key (the chart expands `${DBPW}` in the connection string at start). */
      readonly externalSecret: { readonly enabled: true; readonly name: string; readonly key: string };
    };

/** A volume and its mount, added to the server pods. */
export interface ExtraVolume {
  readonly volume: { readonly name: string; readonly configMap: { readonly name: string } };
  readonly mount: { readonly name: string; readonly mountPath: string; readonly readOnly: true };
}

/** Values of the spire-server subchart. */
export interface SpireServerValues {
  readonly replicaCount: number;
  readonly image: SpireChartImage;
  readonly caKeyType: SpireSettings['caKeyType'];
  readonly caTTL: string;
  readonly defaultX509SvidTTL: string;
  readonly defaultJwtSvidTTL: string;
  readonly caSubject: { readonly country: string; readonly organization: string; readonly commonName: string };
  readonly auditLogEnabled: true;
  readonly logFormat: 'json';
  readonly dataStore: { readonly sql: SpireDataStore };
  readonly nodeAttestor: {
    readonly k8sPSAT: { readonly enabled: true; readonly serviceAccountAllowList: readonly string[]; readonly audience: readonly string[] };
    readonly externalK8sPSAT: { readonly enabled: false };
    readonly joinToken: { readonly enabled: false };
  };
  readonly bundlePublisher: { readonly externalK8sConfigMap: { readonly enabled: false } };
  readonly resources: Resources;
  readonly podSecurityContext: { readonly seccompProfile: { readonly type: 'RuntimeDefault' } };
  readonly topologySpreadConstraints: ReadonlyArray<Record<string, unknown>>;
  readonly extraVolumes: ReadonlyArray<ExtraVolume['volume']>;
  readonly extraVolumeMounts: ReadonlyArray<ExtraVolume['mount']>;
  readonly controllerManager: {
    readonly enabled: true;
    readonly className: string;
    readonly image: SpireChartImage;
    readonly resources: Resources;
    readonly ignoreNamespaces: readonly string[];
    readonly installAndUpgradeHook: { readonly enabled: false };
    readonly deleteHook: { readonly enabled: false };
    readonly identities: { readonly clusterSPIFFEIDs: Record<'default' | 'oidc-discovery-provider' | 'test-keys', { readonly enabled: false }> };
  };
  readonly tests: { readonly bash: { readonly image: SpireChartImage } };
}

/** Values of the spire-agent subchart. */
export interface SpireAgentValues {
  readonly image: SpireChartImage;
  readonly logFormat: 'json';
  readonly kubeletAddress: { readonly mode: 'hostip' };
  readonly workloadAttestors: { readonly k8s: { readonly enabled: true; readonly verification: { readonly type: 'apiServerCA' } } };
  readonly nodeAttestor: { readonly k8sPSAT: { readonly enabled: true } };
  readonly fsGroupFix: { readonly image: SpireChartImage };
  readonly socketAlternate: { readonly image: SpireChartImage };
  readonly resources: Resources;
  readonly securityContext: ContainerSecurityContext;
  readonly podSecurityContext: { readonly seccompProfile: { readonly type: 'RuntimeDefault' } };
  readonly tolerations: readonly Toleration[];
}

/** Values of the spiffe-csi-driver subchart. */
export interface SpiffeCsiDriverValues {
  readonly pluginName: string;
  readonly image: SpireChartImage;
  readonly nodeDriverRegistrar: { readonly image: SpireChartImage };
  readonly resources: Resources;
  readonly podSecurityContext: { readonly seccompProfile: { readonly type: 'RuntimeDefault' } };
  readonly tolerations: readonly Toleration[];
}

/** Values Sovra sets on the spire chart. */
export interface SpireValues {
  readonly global: {
    readonly installAndUpgradeHooks: { readonly enabled: false };
    readonly deleteHooks: { readonly enabled: false };
    readonly spire: {
      readonly clusterName: string;
      readonly trustDomain: string;
      readonly recommendations: { readonly enabled: true; readonly namespaceLayout: true; readonly securityContexts: true; readonly prometheus: true; readonly strictMode: true };
      readonly namespaces: { readonly create: false; readonly server: { readonly name: string }; readonly system: { readonly name: string } };
    };
  };
  readonly 'spire-server': SpireServerValues;
  readonly 'spire-agent': SpireAgentValues;
  readonly 'spiffe-csi-driver': SpiffeCsiDriverValues;
  readonly 'spiffe-oidc-discovery-provider': { readonly enabled: false };
  readonly 'tornjak-frontend': { readonly enabled: false };
}

/** What the values are built from. */
export interface SpireValuesInput {
  readonly settings: SpireSettings;
  readonly clusterName: string;
  readonly serverNamespace: string;
  readonly agentNamespace: string;
  readonly serverReplicas: number;
  readonly dataStore: SpireDataStore;
  readonly extraVolumes: readonly ExtraVolume[];
  /** Labels of the server pods, for spreading replicas over nodes. */
  readonly serverLabels: Readonly<Record<string, string>>;
  readonly classNameValue: string;
  /** Tolerations of the agents and the CSI driver, so GPU pool nodes get workload identities too. */
  readonly nodeAgentTolerations: readonly Toleration[];
  readonly images: {
    readonly server: ImageSpec;
    readonly agent: ImageSpec;
    readonly controllerManager: ImageSpec;
    readonly csiDriver: ImageSpec;
    readonly nodeDriverRegistrar: ImageSpec;
    readonly bash: ImageSpec;
  };
}

/** The hardened container baseline. */
export const HARDENED_CONTAINER: ContainerSecurityContext = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

// Sizes are the ones the subcharts' values.yaml suggest in their comments (server 200m/256Mi, controller manager 100m/128Mi).
const SERVER_RESOURCES: Resources = { requests: { cpu: '200m', memory: '256Mi' }, limits: { cpu: '200m', memory: '256Mi' } };
const SMALL_RESOURCES: Resources = { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '100m', memory: '128Mi' } };
const RUNTIME_DEFAULT = { seccompProfile: { type: 'RuntimeDefault' } } as const;

/** Builds the values of the spire chart. */
export function spireValues(i: SpireValuesInput): SpireValues {
  const s = i.settings;
  const bash = spireChartImage(i.images.bash);
  return {
    global: {
      // The hooks run kubectl Jobs whose image tag follows the live cluster's version, which no synth can declare; see the component's TSDoc.
      installAndUpgradeHooks: { enabled: false },
      deleteHooks: { enabled: false },
      spire: {
        clusterName: i.clusterName,
        trustDomain: s.trustDomain,
        // Upstream's production recommendations: split namespaces, hardened security contexts, Prometheus endpoints, and a render that fails on example values.
        recommendations: { enabled: true, namespaceLayout: true, securityContexts: true, prometheus: true, strictMode: true },
        namespaces: { create: false, server: { name: i.serverNamespace }, system: { name: i.agentNamespace } },
      },
    },
    'spire-server': {
      replicaCount: i.serverReplicas,
      image: spireChartImage(i.images.server),
      caKeyType: s.caKeyType,
      caTTL: s.caTTL,
      defaultX509SvidTTL: s.x509SvidTTL,
      defaultJwtSvidTTL: s.jwtSvidTTL,
      caSubject: { country: s.caSubject.country, organization: s.caSubject.organization, commonName: s.trustDomain },
      auditLogEnabled: true,
      logFormat: 'json',
      dataStore: { sql: i.dataStore },
      nodeAttestor: {
        // Only the agents' own service account may attest nodes, with tokens minted for the spire-server audience.
        k8sPSAT: { enabled: true, serviceAccountAllowList: [`${i.agentNamespace}:spire-agent`], audience: ['spire-server'] },
        externalK8sPSAT: { enabled: false },
        joinToken: { enabled: false },
      },
      bundlePublisher: { externalK8sConfigMap: { enabled: false } },
      resources: SERVER_RESOURCES,
      podSecurityContext: RUNTIME_DEFAULT,
      topologySpreadConstraints:
        i.serverReplicas > 1 ? [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { ...i.serverLabels } } }] : [],
      extraVolumes: i.extraVolumes.map((v) => v.volume),
      extraVolumeMounts: i.extraVolumes.map((v) => v.mount),
      controllerManager: {
        enabled: true,
        className: i.classNameValue,
        image: spireChartImage(i.images.controllerManager),
        resources: SMALL_RESOURCES,
        // Only namespaces Sovra never runs pods in: every Sovra pod group (kube-system's included) gets its ClusterSPIFFEID.
        ignoreNamespaces: ['kube-public', 'kube-node-lease'],
        installAndUpgradeHook: { enabled: false },
        deleteHook: { enabled: false },
        // Sovra writes one ClusterSPIFFEID per pod group; the chart's catch-all and its OIDC and test identities would overlap them.
        identities: { clusterSPIFFEIDs: { default: { enabled: false }, 'oidc-discovery-provider': { enabled: false }, 'test-keys': { enabled: false } } },
      },
      // The chart always renders a `helm test` Pod; helm install never runs it, but its image is pinned like the others.
      tests: { bash: { image: bash } },
    },
    'spire-agent': {
      image: spireChartImage(i.images.agent),
      logFormat: 'json',
      // The agent reaches its node's kubelet on the node IP, so it needs no host network, and verifies the kubelet's certificate against the cluster CA.
      kubeletAddress: { mode: 'hostip' },
      workloadAttestors: { k8s: { enabled: true, verification: { type: 'apiServerCA' } } },
      nodeAttestor: { k8sPSAT: { enabled: true } },
      fsGroupFix: { image: bash },
      socketAlternate: { image: bash },
      resources: SMALL_RESOURCES,
      securityContext: HARDENED_CONTAINER,
      podSecurityContext: RUNTIME_DEFAULT,
      tolerations: i.nodeAgentTolerations,
    },
    'spiffe-csi-driver': {
      pluginName: SPIRE_WORKLOAD_API.csiDriver,
      image: spireChartImage(i.images.csiDriver),
      nodeDriverRegistrar: { image: spireChartImage(i.images.nodeDriverRegistrar) },
      resources: SMALL_RESOURCES,
      podSecurityContext: RUNTIME_DEFAULT,
      tolerations: i.nodeAgentTolerations,
    },
    'spiffe-oidc-discovery-provider': { enabled: false },
    'tornjak-frontend': { enabled: false },
  };
}
