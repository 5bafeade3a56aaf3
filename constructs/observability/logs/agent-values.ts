/**
 * The node log agents: the OpenTelemetry collector chart as a DaemonSet
 * that tails every container log under /var/log/pods and every audit
 * trail the components declare (kit/telemetry.ts), parses the audit
 * records (JSON lines) into attributes so they are queryable field by
 * field, marks them with AUDIT_ATTRIBUTE (Loki keeps them for the audit
 * retention), adds the Kubernetes attributes of the pod that wrote each
 * line, and pushes everything to Loki's native OTLP endpoint. Read
 * positions and the export queue are kept on the node (file_storage), so
 * a restarted agent or an unavailable Loki loses nothing: the agent stops
 * reading while Loki refuses and retries without a deadline.
 */
import { dirname } from 'node:path';
import type { LogCollectorSettings } from '../../../profiles/profile.generated.js';
import type { ImageSpec } from '../../kit/image.js';
import type { AuditLogSource, ContainerAuditLog, NodeFileAuditLog } from '../../kit/telemetry.js';
import { COLLECTOR_COMMAND, METRICS_PORT, collectorImage, collectorPorts, collectorResources, collectorTelemetry, healthCheck, memoryLimiter } from './collector-chart.js';
import { AUDIT_ATTRIBUTE, AUDIT_KIND } from './loki-values.js';

/** Release of the agents; also the chart's full name (DaemonSet `log-collector-agent`, ServiceAccount `log-collector`). */
export const AGENT_RELEASE = 'log-collector';
/** Pod labels of the agents (the chart's selector labels in daemonset mode). */
export const AGENT_POD_LABELS = { 'app.kubernetes.io/name': 'opentelemetry-collector', 'app.kubernetes.io/instance': AGENT_RELEASE, component: 'agent-collector' } as const;
/** Where the kubelet writes container logs (CRI format), one folder per pod: `<namespace>_<pod>_<uid>/<container>/<n>.log`. */
export const POD_LOGS = '/var/log/pods';
/** Host folder of the agents' read positions and export queue, and where it is mounted in the agent. */
export const STATE_DIR = { host: '/var/lib/sovra/log-collector', mount: '/var/lib/otelcol/sovra' } as const;
/** Id of the exporter to Loki (in the collector's metrics as the label `exporter`). */
export const LOKI_EXPORTER = 'otlphttp/loki';

/** Expression (collector stanza `expr`) that selects the lines of a container audit trail. */
export function containerAuditCondition(a: ContainerAuditLog): string {
  return `resource["k8s.namespace.name"] == ${JSON.stringify(a.namespace)} and resource["k8s.container.name"] == ${JSON.stringify(a.container)} and attributes["log.iostream"] == ${JSON.stringify(a.stream)} and body matches ${JSON.stringify(a.match)}`;
}

/** Receiver id of a node-file audit trail. */
export function auditReceiverId(a: NodeFileAuditLog): string {
  return `file_log/audit-${a.service}`;
}

/** The stanza operators that turn the lines of each container audit trail into audit records: JSON into attributes, kind and service on the resource. */
function containerAuditOperators(sources: readonly ContainerAuditLog[]): Array<Record<string, unknown>> {
  return sources.flatMap((a) => {
    const cond = containerAuditCondition(a);
    return [
      { type: 'json_parser', id: `audit-${a.service}-parse`, if: cond, parse_from: 'body', parse_to: 'attributes' },
      { type: 'add', id: `audit-${a.service}-kind`, if: cond, field: `resource["${AUDIT_ATTRIBUTE}"]`, value: AUDIT_KIND },
      { type: 'add', id: `audit-${a.service}-service`, if: cond, field: 'resource["service.name"]', value: a.service },
    ];
  });
}

/** The receiver of one audit file on the node: read from the start, every record parsed and marked. */
function fileAuditReceiver(a: NodeFileAuditLog): Record<string, unknown> {
  return {
    include: [a.path],
    start_at: 'beginning',
    storage: 'file_storage',
    include_file_path: true,
    include_file_name: false,
    retry_on_failure: { enabled: true },
    resource: { 'service.name': a.service, [AUDIT_ATTRIBUTE]: AUDIT_KIND, 'k8s.node.name': '${env:K8S_NODE_NAME}' },
    operators: [{ type: 'json_parser', id: `audit-${a.service}-parse`, parse_from: 'body', parse_to: 'attributes' }],
  };
}

/** The agents' collector configuration (`alternateConfig`; the chart adds `k8s_attributes` to the pipeline through its preset). */
export function agentConfig(i: { lokiOtlpUrl: string; auditLogs: readonly AuditLogSource[]; ownNamespace: string }): Record<string, unknown> {
  const files = i.auditLogs.filter((a): a is NodeFileAuditLog => a.kind === 'node-file');
  const containers = i.auditLogs.filter((a): a is ContainerAuditLog => a.kind === 'container');
  return {
    extensions: { health_check: healthCheck(), file_storage: { directory: STATE_DIR.mount, create_directory: false } },
    receivers: {
      'file_log/pods': {
        include: [`${POD_LOGS}/*/*/*.log`],
        // The agents' own lines would feed back through themselves.
        exclude: [`${POD_LOGS}/${i.ownNamespace}_*/*/*.log`],
        start_at: 'beginning',
        storage: 'file_storage',
        include_file_path: true,
        include_file_name: false,
        retry_on_failure: { enabled: true },
        operators: [{ type: 'container', id: 'container-parser', max_log_size: 102400 }, ...containerAuditOperators(containers)],
      },
      ...Object.fromEntries(files.map((a) => [auditReceiverId(a), fileAuditReceiver(a)])),
    },
    processors: { memory_limiter: memoryLimiter(), batch: { send_batch_size: 1024, timeout: '1s' } },
    exporters: {
      [LOKI_EXPORTER]: {
        endpoint: i.lokiOtlpUrl,
        // The queue is on the node: what Loki has not acknowledged survives a restart of the agent.
        sending_queue: { enabled: true, storage: 'file_storage', queue_size: 5000 },
        // Never give up on a batch (0 = no deadline): the queue fills, the receivers stop reading, the files wait on the node.
        retry_on_failure: { enabled: true, initial_interval: '5s', max_interval: '60s', max_elapsed_time: 0 },
      },
    },
    service: {
      extensions: ['health_check', 'file_storage'],
      telemetry: collectorTelemetry(),
      pipelines: { logs: { receivers: ['file_log/pods', ...files.map(auditReceiverId)], processors: ['memory_limiter', 'batch'], exporters: [LOKI_EXPORTER] } },
    },
  };
}

/** Host folders the agents mount: pod logs and each audit file's folder read-only, their own state read-write. */
export function agentHostPaths(auditLogs: readonly AuditLogSource[]): Array<{ name: string; hostPath: string; mountPath: string; readOnly: boolean; type: string }> {
  const auditDirs = [...new Set(auditLogs.filter((a): a is NodeFileAuditLog => a.kind === 'node-file').map((a) => dirname(a.path)))].sort();
  return [
    { name: 'pod-logs', hostPath: POD_LOGS, mountPath: POD_LOGS, readOnly: true, type: 'Directory' },
    // Created empty on nodes that do not write the file (agents and GPU pool nodes have no API server).
    ...auditDirs.map((d, n) => ({ name: `audit-logs-${n}`, hostPath: d, mountPath: d, readOnly: true, type: 'DirectoryOrCreate' })),
    { name: 'collector-state', hostPath: STATE_DIR.host, mountPath: STATE_DIR.mount, readOnly: false, type: 'DirectoryOrCreate' },
  ];
}

/** The chart's values for the agents. */
export function agentValues(i: { image: ImageSpec; settings: LogCollectorSettings; config: Record<string, unknown>; auditLogs: readonly AuditLogSource[] }): Record<string, unknown> {
  const paths = agentHostPaths(i.auditLogs);
  return {
    mode: 'daemonset',
    fullnameOverride: AGENT_RELEASE,
    image: collectorImage(i.image),
    command: { name: COLLECTOR_COMMAND },
    alternateConfig: i.config,
    // Pod metadata of every record (namespace, workload, node): the processor and its read-only ClusterRole on pods, namespaces, replica sets.
    presets: { kubernetesAttributes: { enabled: true } },
    ports: collectorPorts({ metrics: { containerPort: METRICS_PORT } }),
    // k8s_attributes watches pods through the API server with the agent's token.
    serviceAccount: { create: true, automountServiceAccountToken: true },
    // Root without any capability: the kubelet writes container logs and the API server its audit log as root-only files.
    podSecurityContext: { runAsUser: 0, runAsGroup: 0, runAsNonRoot: false, seccompProfile: { type: 'RuntimeDefault' } },
    securityContext: { runAsUser: 0, runAsGroup: 0, runAsNonRoot: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
    resources: collectorResources(i.settings.cpu, i.settings.memory),
    // Every node, GPU pools and tainted servers included: their logs and audit trails are collected too.
    tolerations: [{ operator: 'Exists' }],
    extraVolumes: paths.map((p) => ({ name: p.name, hostPath: { path: p.hostPath, type: p.type } })),
    extraVolumeMounts: paths.map((p) => ({ name: p.name, mountPath: p.mountPath, readOnly: p.readOnly })),
  };
}
