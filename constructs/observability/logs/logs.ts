/**
 * Logs of the platform: an OpenTelemetry collector on every node (chart
 * opentelemetry-collector as a DaemonSet, in a namespace of its own with
 * privileged Pod Security, because it reads host paths) ships every
 * container log and every audit trail the components declare to Loki
 * (chart loki, one binary: its volume on dev and edge, the platform's
 * object store and three replicas on cluster), which keeps logs for the
 * profile's retention and audit records for its audit retention, and
 * serves them to Grafana as a datasource (declared through the kit; the
 * monitoring component provisions it). Alerts on the pipeline's failures
 * (AU-5) and the claims on storage, review, protection and retention of
 * audit records (AU-4, AU-6, AU-9, AU-11) follow from the same values.
 *
 * Loki is AGPL-3.0: the license policy flags its image, and a profile that
 * installs it carries a waiver with the reason (license.ts).
 */
import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { SovraError } from '../../../core/errors.js';
import type { LogsSettings } from '../../../profiles/profile.generated.js';
import { onChartValues, onObject } from '../../kit/claims.js';
import { Component, directoryOf, type ComponentProps } from '../../kit/component.js';
import type { PodGroup } from '../../kit/network.js';
import { NAMESPACES } from '../../kit/shared-names.js';
import type { AuditLogSource } from '../../kit/telemetry.js';
import { connectS3Client } from '../../data/object-store/client.js';
import { objectStoreEndpoint } from '../../data/object-store/endpoint.js';
import { AGENT_POD_LABELS, AGENT_RELEASE, LOKI_EXPORTER, POD_LOGS, STATE_DIR, agentConfig, agentValues } from './agent-values.js';
import { COLLECTOR_METRICS, LOKI_METRICS, logsAlerts } from './alerts.js';
import { LOKI_CHART, LOKI_IMAGE } from './catalog.js';
import { OTEL_COLLECTOR_CHART, OTEL_COLLECTOR_IMAGE, METRICS_PORT } from './collector-chart.js';
import { AUDIT_ATTRIBUTE, AUDIT_SELECTOR, LOKI_PODS_NAME, LOKI_PORTS, LOKI_POD_LABELS, LOKI_RELEASE, lokiReplicas, lokiValues, type LokiStorage } from './loki-values.js';
import { declareLogsExceptions } from './policy-exceptions.js';

/** Loki's HTTP API (push, OTLP, query) as its clients reach it. */
export const LOKI_API = { service: LOKI_RELEASE, port: LOKI_PORTS.http, url: `http://${LOKI_RELEASE}.${NAMESPACES.logs}.svc:${LOKI_PORTS.http}` } as const;
/** Secret with Loki's object store key pair (keys of S3_CREDENTIAL_KEYS), in Loki's namespace. */
export const LOKI_S3_SECRET = 'loki-object-store';
/** Grafana datasource uid of Loki. */
export const LOKI_DATASOURCE_UID = 'loki';

/** Why the agents' namespace runs privileged Pod Security (on the Namespace and in the SSP). */
export const AGENT_PRIVILEGE_REASON =
  `The log collector reads container logs (${POD_LOGS}) and the API server's audit log from host paths, read-only, and keeps its read positions and export queue in a host folder, so no record is lost or sent twice when it restarts; ` +
  'those files belong to root, so it runs as user 0 without any Linux capability, without privilege escalation, with a read-only root filesystem and the RuntimeDefault seccomp profile.';

/** Days of a `<n>d` setting. */
function days(setting: string): number {
  return Number(setting.slice(0, -1));
}

/** The observability layer's logs: node collectors and Loki. */
export class Logs extends Component {
  /** The Loki servers: the collectors push to them and Grafana queries them on port `http`. */
  readonly loki: PodGroup;
  /** The node log collectors. */
  readonly collectors: PodGroup;
  /** The privileged namespace of the collectors. */
  readonly agentNamespace: ApiObject;
  /** Every audit trail the collectors read, as the components declared them. */
  readonly collectedAuditLogs: readonly AuditLogSource[];
  /** Loki servers. */
  readonly replicas: number;

  constructor(scope: Construct, id: string, props: ComponentProps) {
    const dir = directoryOf(scope);
    super(scope, id, props, {
      title: 'Logs (OpenTelemetry collector, Loki)',
      description:
        `An OpenTelemetry collector on every node ships every container log and the declared audit trails to Loki, which keeps them for the profile's retention and serves them to Grafana. ` +
        `The collectors run in namespace ${NAMESPACES.logAgents} with privileged Pod Security: ${AGENT_PRIVILEGE_REASON}`,
      layer: 'observability',
      namespace: NAMESPACES.logs,
      version: LOKI_IMAGE.tag,
      dependsOn: ['cilium', 'distribution', ...(props.profile.components.logs.storage === 'object-store' ? ['object-store', 'external-secrets'] : [])].filter((c) => dir.installs(c)),
    });
    const p = props.profile;
    const s = p.components.logs;
    if (days(s.auditRetention) < days(s.retention)) {
      throw new SovraError('bad-profile', `components.logs: auditRetention (${s.auditRetention}) is shorter than retention (${s.retention}); audit records must be kept at least as long as other logs. Lengthen auditRetention.`);
    }
    this.replicas = lokiReplicas(s, p.highAvailability);
    const lokiImage = this.addImage(LOKI_IMAGE);
    const collectorImage = this.addImage(OTEL_COLLECTOR_IMAGE);

    // Loki.
    this.loki = this.addPods({
      name: LOKI_PODS_NAME,
      labels: LOKI_POD_LABELS,
      ports: { http: { port: LOKI_PORTS.http }, grpc: { port: LOKI_PORTS.grpc }, memberlist: { port: LOKI_PORTS.memberlist } },
      serviceAccount: LOKI_RELEASE,
    });
    if (this.replicas > 1) {
      this.loki.connectsTo({ component: id, pods: LOKI_PODS_NAME, port: 'grpc' }, 'Loki servers replicate pushed streams and answer queries for each other');
      this.loki.connectsTo({ component: id, pods: LOKI_PODS_NAME, port: 'memberlist' }, 'Loki servers share the hash ring by memberlist gossip');
    }
    const storage = this.lokiStorage(s);
    this.addChart({ release: LOKI_RELEASE, namespace: NAMESPACES.logs, values: lokiValues({ settings: s, image: lokiImage, storage, replicas: this.replicas }), ...LOKI_CHART });
    this.addMetrics({ pods: this.loki, port: 'http', provides: LOKI_METRICS });
    this.addDatasource({ uid: LOKI_DATASOURCE_UID, name: 'Loki', type: 'loki', url: LOKI_API.url, pods: this.loki, port: 'http', jsonData: { maxLines: 1000, timeout: 60 } });

    // The collectors, in their own privileged namespace.
    this.agentNamespace = this.clusterScoped(
      new ApiObject(this, 'AgentNamespace', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: NAMESPACES.logAgents,
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
    this.exceptPolicy({
      rule: 'pod-security/namespace-restricted',
      object: this.agentNamespace,
      reason: `The log collectors need privileged Pod Security for host paths: ${AGENT_PRIVILEGE_REASON} Audit and warn stay restricted, and nothing else runs in ${NAMESPACES.logAgents}.`,
    });
    this.collectedAuditLogs = dir.components.flatMap((c) => c.auditLogs);
    const config = agentConfig({ lokiOtlpUrl: `${LOKI_API.url}/otlp`, auditLogs: this.collectedAuditLogs, ownNamespace: NAMESPACES.logAgents });
    this.addChart({ release: AGENT_RELEASE, namespace: NAMESPACES.logAgents, values: agentValues({ image: collectorImage, settings: s.collector, config, auditLogs: this.collectedAuditLogs }), ...OTEL_COLLECTOR_CHART });
    this.chartObject(AGENT_RELEASE)?.node.addDependency(this.agentNamespace);
    this.collectors = this.addPods({
      name: 'collector',
      namespace: NAMESPACES.logAgents,
      labels: AGENT_POD_LABELS,
      ports: { metrics: { port: METRICS_PORT } },
      serviceAccount: AGENT_RELEASE,
    });
    this.collectors.connectsTo({ component: id, pods: LOKI_PODS_NAME, port: 'http' }, "the node log collectors push container logs and audit records to Loki's OTLP endpoint");
    this.collectors.connectsTo({ entity: 'kube-apiserver', ports: [{ port: 6443 }] }, 'the log collectors watch pods, namespaces and replica sets to label each record with its workload');
    this.addMetrics({ pods: this.collectors, port: 'metrics', provides: COLLECTOR_METRICS });
    declareLogsExceptions(this, AGENT_RELEASE, NAMESPACES.logAgents, AGENT_PRIVILEGE_REASON);

    for (const rule of logsAlerts(NAMESPACES.logAgents)) this.addAlert(rule);
    this.declareClaims(s);
  }

  /** Loki's storage: its volume, or the object store with the key pair of its user there (read from OpenBao, or supplied by the site). */
  private lokiStorage(s: LogsSettings): LokiStorage {
    if (s.storage === 'filesystem') return { type: 'filesystem' };
    return connectS3Client(this, this.loki, { client: 'logs', secret: LOKI_S3_SECRET, name: 'Loki', pods: 'the Loki servers', stores: 'chunks and index' });
  }


  /** AU-4, AU-9, AU-11, AU-6 (partial), SI-4 (partial), each on the values that implement it. */
  private declareClaims(s: LogsSettings): void {
    const r = LOKI_RELEASE;
    const services = this.collectedAuditLogs.map((a) => a.service);
    const trails = services.length > 0 ? `the audit trails ${services.join(', ')}` : 'no declared audit trail';
    const retention = [
      onChartValues(r, 'loki.limits_config.retention_period', { equals: s.retention }),
      onChartValues(r, 'loki.limits_config.retention_stream[0]', { equals: { selector: AUDIT_SELECTOR, priority: 1, period: s.auditRetention } }),
      onChartValues(r, 'loki.compactor.retention_enabled', { equals: true }),
    ];
    const where = s.storage === 'filesystem' ? `on a ${s.volumeSize} volume of the Loki server` : `in the object store (bucket ${objectStoreEndpoint(this.profile).buckets.logs}), with a ${s.volumeSize} volume per server for the write-ahead log and index cache`;
    this.claim({
      control: 'au-4',
      statement: `Audit records (${trails}) and container logs are stored ${where}; the compactor deletes logs after ${s.retention} and audit records after ${s.auditRetention}, so storage holds the retention period, and alerts fire when the collectors fall behind or retention stops running.`,
      evidence: [onChartValues(r, 'singleBinary.persistence.size', { equals: s.volumeSize }), ...retention],
      parameters: { 'au-4_prm_1': `${s.auditRetention} for audit records, ${s.retention} for other logs` },
    });
    this.claim({
      control: 'au-11',
      statement: `Audit records are retained for ${s.auditRetention} (Loki's retention of the streams labelled ${AUDIT_SELECTOR}) and other logs for ${s.retention}, then deleted by Loki's compactor.`,
      evidence: retention,
      parameters: { 'au-11_prm_1': s.auditRetention },
    });
    this.claim({
      control: 'au-9',
      status: 'partial',
      statement:
        `Audit records leave the node they are written on as soon as they are read: the collectors read the files read-only and push them to Loki, keeping unacknowledged records in a queue on the node. ` +
        `Only the declared peers reach Loki (the collectors, Grafana, Prometheus on its metrics port); its pods carry no API token. People read logs only through Grafana, whose login goes through Keycloak with anonymous access off. ` +
        `Loki runs one tenant and has no authentication of its own, so the protection is the network allow-list and, where the mesh runs, its mTLS and authorization policies (the collectors, outside the mesh, reach Loki's port in plaintext inside the cluster; between nodes Cilium encrypts it); stored records are not signed.`,
      evidence: [
        onObject(this.loki.networkPolicy, 'spec.policyTypes', { equals: ['Ingress', 'Egress'] }),
        onChartValues(r, 'serviceAccount.automountServiceAccountToken', { equals: false }),
        onChartValues(r, 'loki.auth_enabled', { equals: false }),
        onChartValues(AGENT_RELEASE, `alternateConfig.exporters.${LOKI_EXPORTER}.sending_queue.storage`, { equals: 'file_storage' }),
      ],
    });
    this.claim({
      control: 'au-6',
      status: 'partial',
      statement: `Audit records are queryable field by field in Grafana's Loki datasource (${services.join(', ') || 'none declared'}: the JSON of each record becomes attributes, and ${AUDIT_SELECTOR} selects every audit record); reviewing them and reporting findings stays with the site.`,
      evidence: [onChartValues(r, 'loki.limits_config.otlp_config.resource_attributes.attributes_config[0].attributes', { equals: [AUDIT_ATTRIBUTE] })],
    });
    this.claim({
      control: 'si-4',
      status: 'partial',
      statement: `Every node's container logs and the platform's audit trails are collected centrally in Loki, where Grafana searches them; the collectors on every node (all taints tolerated) keep read positions in ${STATE_DIR.host} so nothing is skipped after a restart.`,
      evidence: [onChartValues(AGENT_RELEASE, 'tolerations', { equals: [{ operator: 'Exists' }] }), onChartValues(AGENT_RELEASE, 'mode', { equals: 'daemonset' })],
    });
  }
}
