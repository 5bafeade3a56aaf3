/**
 * SPIRE: the platform's workload identity. The SPIRE server (three replicas
 * over a shared PostgreSQL cluster on cluster profiles, one with SQLite
 * elsewhere) is the CA of the trust domain; an agent on every node attests
 * the node to the server with a projected service-account token (k8s_psat)
 * and attests workloads through the kubelet; the SPIFFE CSI driver mounts
 * the agent's Workload API socket into pods; the controller manager
 * (a container of the server pods) turns one ClusterSPIFFEID per pod group
 * of the platform into registration entries.
 *
 * Namespaces: the server, its controller manager and its database run in
 * NAMESPACES.spire with restricted Pod Security; the agents and the CSI
 * driver need host access (host PID namespace and host paths for the
 * Workload API socket; a privileged container for the CSI driver's
 * bidirectional mount propagation), so they run in a namespace of their
 * own, AGENT_NAMESPACE, with privileged Pod Security. That is upstream's
 * recommended layout (`global.spire.recommendations.namespaceLayout`).
 *
 * The chart's install/upgrade/delete hooks are off: they run kubectl Jobs
 * whose image tag follows the live cluster's Kubernetes version, which no
 * synth can declare. Without them the ClusterSPIFFEID admission webhook keeps
 * the chart's `failurePolicy: Ignore`; Sovra validates every ClusterSPIFFEID
 * against the CRD schema at synth time and the controller manager refuses
 * invalid ones when it reconciles.
 */
import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { SovraError } from '../../../core/errors.js';
import type { SpireSettings } from '../../../profiles/profile.generated.js';
import { addPostgresCluster, postgresImage } from '../../data/postgres/cluster.js';
import { onChartValues, onObject, type Evidence } from '../../kit/claims.js';
import { Component, directoryOf, type ComponentProps } from '../../kit/component.js';
import type { PodGroup } from '../../kit/network.js';
import { NAMESPACES, SPIRE_WORKLOAD_API, TRUST_BUNDLE } from '../../kit/shared-names.js';
import { nodeAgentTolerations } from '../../kit/gpu.js';
import { SPIRE_CHART, SPIRE_CRDS_CHART, SPIRE_IMAGES } from './catalog.js';
import { addClusterSpiffeId, clusterSpiffeIdName, SPIFFE_ID_TEMPLATE } from './identities.js';
import { spireValues, type ExtraVolume, type SpireDataStore, type SpireValues } from './values.js';
import { declareSpireExceptions } from './policy-exceptions.js';

/** Release of the spire chart; part of object names and Terraform addresses. */
export const SPIRE_RELEASE = 'spire';
/** Release of the spire-crds chart. */
export const SPIRE_CRDS_RELEASE = 'spire-crds';
/** Namespace of the agents and the CSI driver (privileged Pod Security). */
export const AGENT_NAMESPACE = 'spire-agent';
/** Cluster name the agents attest with (k8s_psat) and parent IDs carry. */
export const CLUSTER_NAME = 'sovra';
/** Class of the ClusterSPIFFEIDs this installation's controller manager acts on. */
export const CLASS_NAME = 'sovra';
/** gRPC API of the server (agents attest and fetch SVIDs on it). */
export const SERVER_API_PORT = 8081;
/** The server's database cluster on profiles with more than one server replica. */
export const DATABASE = { name: 'spire-db', database: 'spire', owner: 'spire', storage: '5Gi' } as const;
/** Where the server pods see the platform's trust bundle (to verify the database's certificate). */
export const TRUST_MOUNT = '/run/sovra/trust';

/** Pod labels the chart sets, by pod group. */
export const POD_LABELS = {
  server: { 'app.kubernetes.io/name': 'server', 'app.kubernetes.io/instance': SPIRE_RELEASE, 'app.kubernetes.io/component': 'server' },
  agent: { 'app.kubernetes.io/name': 'agent', 'app.kubernetes.io/instance': SPIRE_RELEASE, 'app.kubernetes.io/component': 'default' },
  csiDriver: { 'app.kubernetes.io/name': 'spiffe-csi-driver', 'app.kubernetes.io/instance': SPIRE_RELEASE },
} as const;

const AGENT_PRIVILEGE_REASON =
  'The SPIRE agent shares the host PID namespace (workload attestation reads the calling process from /proc) and serves the Workload API socket from a host path; ' +
  'the SPIFFE CSI driver runs privileged to mount that socket into pods with bidirectional mount propagation, and its registrar writes the kubelet plugin registration directory.';

/** Go durations of the settings (`<n>m` or `<n>h`) in minutes. */
function minutes(duration: string): number {
  const m = /^([1-9][0-9]*)(m|h)$/.exec(duration);
  if (!m) throw new SovraError('bad-profile', `components.spire: "${duration}" is not a duration such as 30m or 24h.`);
  return Number(m[1]) * (m[2] === 'h' ? 60 : 1);
}

/** SPIRE server, agents, CSI driver and controller manager, and a ClusterSPIFFEID per pod group of the platform. */
export class Spire extends Component {
  /** The spire chart as declared, with its typed values. */
  readonly chart;
  /** The server pods (API, metrics, controller manager webhook). */
  readonly server: PodGroup;
  /** The agent pods, one per node. */
  readonly agents: PodGroup;
  /** The SPIFFE CSI driver pods, one per node. */
  readonly csiDriver: PodGroup;
  /** The privileged namespace of the agents and the CSI driver. */
  readonly agentNamespace: ApiObject;
  /** The ClusterSPIFFEID of each pod group, by `<component>/<group>` (filled when the platform is finalized). */
  readonly identities = new Map<string, ApiObject>();

  constructor(scope: Construct, id: string, props: ComponentProps) {
    super(scope, id, props, {
      title: 'SPIRE',
      description:
        `SPIFFE workload identity: the SPIRE server is the CA of the trust domain and issues short-lived X.509 and JWT SVIDs; node agents attest nodes (k8s_psat) and workloads (kubelet); ` +
        `the SPIFFE CSI driver mounts the Workload API into pods; every pod group of the platform has a ClusterSPIFFEID. The agents and the CSI driver run in namespace ${AGENT_NAMESPACE} ` +
        `with privileged Pod Security: ${AGENT_PRIVILEGE_REASON}`,
      layer: 'identity',
      namespace: NAMESPACES.spire,
      version: SPIRE_IMAGES.server.tag,
      // The server's shared datastore (several replicas) is a PostgreSQL cluster with a cert-manager certificate.
      dependsOn: ['cilium', ...(props.profile.replicas.stateful > 1 ? ['cert-manager', 'postgres'] : [])].filter((c) => directoryOf(scope).installs(c)),
    });
    const p = props.profile;
    const settings = p.components.spire;
    if (minutes(settings.x509SvidTTL) >= minutes(settings.caTTL) || minutes(settings.jwtSvidTTL) >= minutes(settings.caTTL)) {
      throw new SovraError(
        'bad-profile',
        `components.spire: x509SvidTTL (${settings.x509SvidTTL}) and jwtSvidTTL (${settings.jwtSvidTTL}) must be shorter than caTTL (${settings.caTTL}): an SVID cannot outlive the CA that signs it. Shorten the SVID lifetimes or lengthen caTTL.`,
      );
    }
    const images = {
      server: this.addImage(SPIRE_IMAGES.server),
      agent: this.addImage(SPIRE_IMAGES.agent),
      controllerManager: this.addImage(SPIRE_IMAGES.controllerManager),
      csiDriver: this.addImage(SPIRE_IMAGES.csiDriver),
      nodeDriverRegistrar: this.addImage(SPIRE_IMAGES.nodeDriverRegistrar),
      bash: this.addImage(SPIRE_IMAGES.bash),
    };

    this.agentNamespace = this.clusterScoped(
      new ApiObject(this, 'AgentNamespace', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: AGENT_NAMESPACE,
          labels: {
            'pod-security.kubernetes.io/enforce': 'privileged',
            'pod-security.kubernetes.io/enforce-version': 'v1.30',
            'pod-security.kubernetes.io/audit': 'restricted',
            'pod-security.kubernetes.io/warn': 'restricted',
          },
          annotations: { 'sovra.dev/pod-security-reason': AGENT_PRIVILEGE_REASON },
        },
      }),
    );
    if (this.namespaceResource) this.agentNamespace.node.addDependency(this.namespaceResource);
    // Declared exception of the policy gate (policies/): shows with its reason in policy-report.json and is excluded by name from the rule's binding.
    this.exceptPolicy({ rule: 'pod-security/namespace-restricted', object: this.agentNamespace, reason: `The agents and the CSI driver need privileged Pod Security: ${AGENT_PRIVILEGE_REASON} Audit and warn stay restricted, and nothing else runs in ${AGENT_NAMESPACE}.` });

    // One server with SQLite in its volume where the profile runs one stateful replica; otherwise every replica shares a PostgreSQL cluster.
    const replicas = p.replicas.stateful;
    const shared = replicas > 1;
    this.server = this.addPods({
      name: 'server',
      labels: POD_LABELS.server,
      ports: {
        grpc: { port: SERVER_API_PORT },
        metrics: { port: 9988 },
        webhook: { port: 9443 },
        'controller-metrics': { port: 8082 },
      },
      serviceAccount: 'spire-server',
    });
    this.server.acceptsFrom('kube-apiserver', 'webhook', "the API server calls the controller manager's admission webhook (ClusterSPIFFEID validation)");
    let dataStore: SpireDataStore = { databaseType: 'sqlite3' };
    const extraVolumes: ExtraVolume[] = [];
    let database: ReturnType<typeof addPostgresCluster> | undefined;
    if (shared) {
      database = addPostgresCluster(this, this.addImage(postgresImage(p)), {
        ...DATABASE,
        instances: replicas,
        purpose: 'Datastore shared by the SPIRE server replicas: registration entries, attested nodes, trust bundles.',
      });
      extraVolumes.push({
        volume: { name: 'sovra-trust', configMap: { name: TRUST_BUNDLE.name } },
        mount: { name: 'sovra-trust', mountPath: TRUST_MOUNT, readOnly: true },
      });
      // The chart builds the DSN itself and takes only the password from a Secret (it expands ${DBPW} at start), so the
      // operator's `uri` cannot be used whole: host, database and user are the cluster's, the password is the `-app` Secret's.
      dataStore = {
        databaseType: 'postgres',
        host: `${database.service}.${NAMESPACES.spire}.svc`,
        port: database.port,
        databaseName: DATABASE.database,
        username: DATABASE.owner,
        options: [{ sslmode: 'verify-full' }, { sslrootcert: `${TRUST_MOUNT}/${TRUST_BUNDLE.key}` }],
        externalSecret: { enabled: true, name: database.appSecret, key: 'password' },
      };
      this.consumesSecret({ name: database.appSecret, keys: ['password'], purpose: 'Password of the spire database user, read by the SPIRE server (chart value spire-server.dataStore.sql.externalSecret).' });
      this.server.connectsTo({ component: id, pods: DATABASE.name, port: 'postgres' }, 'the SPIRE server keeps its registration entries, attested nodes and bundles in PostgreSQL');
    }

    const values: SpireValues = spireValues({
      settings,
      clusterName: CLUSTER_NAME,
      serverNamespace: NAMESPACES.spire,
      agentNamespace: AGENT_NAMESPACE,
      serverReplicas: replicas,
      dataStore,
      extraVolumes,
      nodeAgentTolerations: nodeAgentTolerations(p),
      serverLabels: POD_LABELS.server,
      classNameValue: CLASS_NAME,
      images,
    });
    this.addChart({ release: SPIRE_CRDS_RELEASE, namespace: NAMESPACES.spire, values: {}, ...SPIRE_CRDS_CHART });
    this.chart = this.addChart<SpireValues>({ release: SPIRE_RELEASE, namespace: NAMESPACES.spire, values, ...SPIRE_CHART });
    declareSpireExceptions(this, SPIRE_RELEASE, AGENT_NAMESPACE);
    this.chartObject(SPIRE_RELEASE)?.node.addDependency(this.agentNamespace);

    this.server.connectsTo(
      { entity: 'kube-apiserver', ports: [{ port: 6443 }] },
      'the SPIRE server validates agent tokens with TokenReview (k8s_psat) and publishes the trust bundle ConfigMap; its controller manager watches pods and ClusterSPIFFEIDs',
    );
    this.agents = this.addPods({
      name: 'agent',
      namespace: AGENT_NAMESPACE,
      labels: POD_LABELS.agent,
      ports: { health: { port: 9982 }, metrics: { port: 9988 } },
      serviceAccount: 'spire-agent',
    });
    this.agents.connectsTo({ component: id, pods: 'server', port: 'grpc' }, 'agents attest their node and fetch SVIDs for their workloads from the SPIRE server');
    this.agents.connectsTo({ entity: 'host', ports: [{ port: 10250 }] }, "agents ask their node's kubelet which pod a calling process belongs to (workload attestation)");
    this.csiDriver = this.addPods({
      name: 'csi-driver',
      namespace: AGENT_NAMESPACE,
      labels: POD_LABELS.csiDriver,
      ports: { health: { port: 9809 } },
      serviceAccount: 'spire-spiffe-csi-driver',
    });
    this.addMetrics({ pods: this.server, port: 'metrics' });
    this.addMetrics({ pods: this.server, port: 'controller-metrics' });
    this.addMetrics({ pods: this.agents, port: 'metrics' });

    let disruptionBudget: ApiObject | undefined;
    if (shared) {
      disruptionBudget = this.inNamespace(
        new ApiObject(this, 'ServerDisruptionBudget', {
          apiVersion: 'policy/v1',
          kind: 'PodDisruptionBudget',
          metadata: { name: 'spire-server' },
          spec: { minAvailable: replicas - 1, selector: { matchLabels: { ...POD_LABELS.server } } },
        }),
      );
    }

    this.declareClaims(settings.trustDomain, replicas, database?.cluster, disruptionBudget);
    this.declareCrypto(settings);
    this.onFinalize(() => this.deriveIdentities(settings.trustDomain));
  }

  /** One ClusterSPIFFEID per pod group of every component, and the IA-9 claim on them. */
  private deriveIdentities(trustDomain: string): void {
    const byName = new Map<string, PodGroup>();
    for (const group of this.platform.podGroups()) {
      const name = clusterSpiffeIdName(group);
      const other = byName.get(name);
      if (other) {
        throw new SovraError('bad-input', `pod groups ${other.owner.id}/${other.name} and ${group.owner.id}/${group.name} would share the ClusterSPIFFEID name "${name}"; rename one of the groups.`);
      }
      byName.set(name, group);
      this.identities.set(`${group.owner.id}/${group.name}`, this.clusterScoped(addClusterSpiffeId(this, group, CLASS_NAME)));
    }
    const evidence: Evidence[] = [
      onChartValues(SPIRE_RELEASE, 'global.spire.trustDomain', { equals: trustDomain }),
      onChartValues(SPIRE_RELEASE, 'spire-server.controllerManager.className', { equals: CLASS_NAME }),
    ];
    for (const obj of this.identities.values()) {
      evidence.push(onObject(obj, 'spec.spiffeIDTemplate', { equals: SPIFFE_ID_TEMPLATE }), onObject(obj, 'spec.className', { equals: CLASS_NAME }));
    }
    this.claim({
      control: 'ia-9',
      statement:
        `Every workload of the platform is identified by a SPIFFE ID in trust domain ${trustDomain} (spiffe://${trustDomain}/ns/<namespace>/sa/<service account>), ` +
        `registered by SPIRE from a ClusterSPIFFEID derived from each of the ${this.identities.size} pod groups the components declare, and can obtain X.509- and JWT-SVIDs for it ` +
        `from the Workload API (CSI driver ${SPIRE_WORKLOAD_API.csiDriver}). Authentication happens where services present those SVIDs to each other (the mesh), hence partial.`,
      evidence,
      status: 'partial',
    });
  }

  private declareClaims(trustDomain: string, replicas: number, database: ApiObject | undefined, disruptionBudget: ApiObject | undefined): void {
    const v = (path: string, expected: unknown) => onChartValues(SPIRE_RELEASE, path, { equals: expected });
    this.claim({
      control: 'ia-3',
      statement:
        `Nodes are identified and authenticated before they receive any identity: each node's SPIRE agent attests with k8s_psat, a projected service-account token for audience spire-server ` +
        `that the server validates with the Kubernetes TokenReview API and accepts only from service account ${AGENT_NAMESPACE}:spire-agent; join tokens are disabled. ` +
        `Workloads are attested by the agent's k8s workload attestor, which identifies the calling pod through the kubelet, whose certificate it verifies against the cluster CA.`,
      evidence: [
        v('spire-server.nodeAttestor.k8sPSAT.enabled', true),
        v('spire-server.nodeAttestor.k8sPSAT.serviceAccountAllowList', [`${AGENT_NAMESPACE}:spire-agent`]),
        v('spire-server.nodeAttestor.k8sPSAT.audience', ['spire-server']),
        v('spire-server.nodeAttestor.joinToken.enabled', false),
        v('spire-agent.workloadAttestors.k8s.enabled', true),
        v('spire-agent.workloadAttestors.k8s.verification.type', 'apiServerCA'),
      ],
    });
    const s = this.profile.components.spire;
    this.claim({
      control: 'sc-12',
      statement:
        `SPIRE establishes and rotates the keys of workload identity automatically: the server CA and JWT signing keys are ${s.caKeyType} and rotated every ${s.caTTL}; ` +
        `workload keys are generated per SVID and replaced at half of the SVID lifetime (X.509-SVID ${s.x509SvidTTL}, JWT-SVID ${s.jwtSvidTTL}).`,
      evidence: [v('spire-server.caKeyType', s.caKeyType), v('spire-server.caTTL', s.caTTL), v('spire-server.defaultX509SvidTTL', s.x509SvidTTL), v('spire-server.defaultJwtSvidTTL', s.jwtSvidTTL)],
    });
    this.claim({
      control: 'sc-17',
      statement:
        `The SPIRE server issues the X.509-SVIDs of the trust domain ${trustDomain} under its own CA (${s.caKeyType}, subject O=${s.caSubject.organization}, CN=${trustDomain}, lifetime ${s.caTTL}). ` +
        `The SPIRE CA is self-signed per server and not yet chained to the platform's PKI (no upstream authority), hence partial.`,
      evidence: [v('spire-server.caKeyType', s.caKeyType), v('spire-server.caSubject.commonName', trustDomain), v('spire-server.caSubject.organization', s.caSubject.organization)],
      status: 'partial',
    });
    this.claim({
      control: 'au-12',
      statement: 'The SPIRE server writes an audit record (caller, method, outcome) of every API call to its JSON log; shipping that log to the platform log store is the observability layer\'s.',
      evidence: [v('spire-server.auditLogEnabled', true), v('spire-server.logFormat', 'json')],
      status: 'partial',
    });
    if (database && disruptionBudget) {
      this.claim({
        control: 'cp-10',
        statement:
          `Workload identity survives the loss of a node: ${replicas} SPIRE server replicas spread over nodes share a ${replicas}-instance PostgreSQL cluster with synchronous replication, ` +
          `and a PodDisruptionBudget keeps ${replicas - 1} servers up during maintenance. Restoring the database from backup is not covered here.`,
        evidence: [
          v('spire-server.replicaCount', replicas),
          v('spire-server.dataStore.sql.databaseType', 'postgres'),
          v('spire-server.topologySpreadConstraints[0].whenUnsatisfiable', 'DoNotSchedule'),
          onObject(database, 'spec.instances', { equals: replicas }),
          onObject(disruptionBudget, 'spec.minAvailable', { equals: replicas - 1 }),
        ],
        status: 'partial',
      });
      this.claim({
        control: 'sc-8',
        statement: "The SPIRE server's connections to its PostgreSQL cluster use TLS and verify the server certificate and host name against the platform trust bundle (sslmode verify-full).",
        evidence: [v('spire-server.dataStore.sql.options[0].sslmode', 'verify-full'), onObject(database, 'spec.postgresql.parameters.ssl_min_protocol_version', { equals: 'TLSv1.3' })],
      });
    }
  }

  /** The SPIRE CA and JWT signing keys, the SVIDs they sign, and the agent–server mTLS. */
  private declareCrypto(s: SpireSettings): void {
    const algorithm = s.caKeyType === 'ec-p384' ? 'ECDSA-P384-SHA384' : 'ECDSA-P256-SHA256';
    const size = s.caKeyType === 'ec-p384' ? 384 : 256;
    const keyType = onChartValues(SPIRE_RELEASE, 'spire-server.caKeyType', { equals: s.caKeyType });
    const implementation = 'spire-server (Go crypto)';
    // One CBOM entry per algorithm and component: where a certificate of this component already declares it, that entry stands.
    if (!this.cryptoAssets.some((a) => a.type === 'algorithm' && a.name === algorithm)) {
      this.addCryptoAsset({ type: 'algorithm', name: algorithm, purpose: 'Signatures of the SPIRE CA (X.509-SVIDs) and of JWT-SVIDs.', configuredBy: keyType, implementation, certificationLevel: ['none'] });
    }
    this.addCryptoAsset({
      type: 'related-crypto-material',
      name: 'SPIRE server CA signing key',
      purpose: `Private key of each SPIRE server's X.509 CA, generated by the server and rotated every ${s.caTTL}; kept by the disk key manager in the server's volume.`,
      configuredBy: keyType,
      material: { type: 'private-key', algorithm, size, nodePath: '/run/spire/data/keys.json (server volume)' },
      properties: { ttl: s.caTTL },
    });
    this.addCryptoAsset({
      type: 'related-crypto-material',
      name: 'SPIRE JWT signing key',
      purpose: `Key that signs JWT-SVIDs (jwt_key_type defaults to ca_key_type; the chart does not set it), rotated every ${s.caTTL}.`,
      configuredBy: keyType,
      material: { type: 'private-key', algorithm, size, nodePath: '/run/spire/data/keys.json (server volume)' },
      properties: { ttl: s.caTTL },
    });
    this.addCryptoAsset({
      type: 'certificate',
      name: 'X.509-SVID',
      purpose: `Workload certificate carrying the SPIFFE ID as URI SAN, delivered through the Workload API; lifetime ${s.x509SvidTTL}.`,
      configuredBy: onChartValues(SPIRE_RELEASE, 'spire-server.defaultX509SvidTTL', { equals: s.x509SvidTTL }),
      certificate: { format: 'X.509', issuerName: `SPIRE server CA (${this.profile.components.spire.trustDomain})`, issuedBy: 'SPIRE server' },
      properties: { ttl: s.x509SvidTTL },
    });
    this.addCryptoAsset({
      type: 'related-crypto-material',
      name: 'JWT-SVID',
      purpose: `Signed token carrying the SPIFFE ID, for audiences a workload asks for; lifetime ${s.jwtSvidTTL}.`,
      configuredBy: onChartValues(SPIRE_RELEASE, 'spire-server.defaultJwtSvidTTL', { equals: s.jwtSvidTTL }),
      material: { type: 'token', algorithm },
      properties: { ttl: s.jwtSvidTTL },
    });
    this.addCryptoAsset({
      type: 'protocol',
      name: 'SPIRE agent-server mTLS',
      purpose: 'Agents and server authenticate each other with SVIDs of the trust domain (the agent trusts the bundle the server publishes to ConfigMap spire-bundle).',
      configuredBy: onChartValues(SPIRE_RELEASE, 'global.spire.trustDomain', { equals: this.profile.components.spire.trustDomain }),
      protocol: { type: 'tls', mutual: true, algorithms: [algorithm] },
    });
  }
}
