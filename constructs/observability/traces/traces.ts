/**
 * Traces of the platform: the trace collector (chart
 * opentelemetry-collector as a Deployment) receives OTLP over gRPC and HTTP
 * from every workload that declares it as its peer (TRACES_OTLP: the allow
 * rules and mesh policies follow from that declaration) and forwards the
 * spans to Tempo (chart tempo, single binary: its volume on dev and edge,
 * the platform's object store on cluster), which keeps them for the
 * profile's retention and serves them to Grafana as a datasource (declared
 * through the kit; the monitoring component provisions it).
 *
 * Nothing in the platform emits traces yet (the control plane has no
 * OpenTelemetry SDK): the pipeline is ready for the workloads that will.
 * Tempo is AGPL-3.0: the license policy flags its image, and a profile that
 * installs it carries a waiver with the reason (license.ts).
 */
import type { Construct } from 'constructs';
import type { TracesSettings } from '../../../profiles/profile.generated.js';
import { onChartValues, onObject } from '../../kit/claims.js';
import { Component, directoryOf, type ComponentProps } from '../../kit/component.js';
import type { PodGroup } from '../../kit/network.js';
import { NAMESPACES, TRACES_OTLP } from '../../kit/shared-names.js';
import { connectS3Client } from '../../data/object-store/client.js';
import { COLLECTOR_METRICS } from '../logs/alerts.js';
import { METRICS_PORT, OTEL_COLLECTOR_CHART, OTEL_COLLECTOR_IMAGE } from '../logs/collector-chart.js';
import { TEMPO_METRICS, tracesAlerts } from './alerts.js';
import { TEMPO_CHART, TEMPO_IMAGE } from './catalog.js';
import { COLLECTOR_POD_LABELS, COLLECTOR_RELEASE, TEMPO_EXPORTER, traceCollectorConfig, traceCollectorValues } from './collector-values.js';
import { TEMPO_POD_LABELS, TEMPO_PORTS, TEMPO_RELEASE, tempoValues, type TempoStorage } from './tempo-values.js';

/** Tempo's HTTP API (query, metrics) and OTLP endpoint as their clients reach them. */
export const TEMPO_API = {
  url: `http://${TEMPO_RELEASE}.${NAMESPACES.traces}.svc:${TEMPO_PORTS.http}`,
  otlpUrl: `http://${TEMPO_RELEASE}.${NAMESPACES.traces}.svc:${TEMPO_PORTS.otlpHttp}`,
} as const;
/** Secret with Tempo's object store key pair (keys of S3_CREDENTIAL_KEYS), in Tempo's namespace. */
export const TEMPO_S3_SECRET = 'tempo-object-store';
/** Grafana datasource uid of Tempo. */
export const TEMPO_DATASOURCE_UID = 'tempo';

/** The observability layer's traces: the trace collector and Tempo. */
export class Traces extends Component {
  /** The Tempo server. */
  readonly tempo: PodGroup;
  /** The trace collector: workloads declare it as their peer (TRACES_OTLP). */
  readonly collector: PodGroup;

  constructor(scope: Construct, id: string, props: ComponentProps) {
    const dir = directoryOf(scope);
    super(scope, id, props, {
      title: 'Traces (OpenTelemetry collector, Tempo)',
      description: `An OpenTelemetry collector receives OTLP traces from the workloads that declare it as their peer (${TRACES_OTLP.grpcUrl}, ${TRACES_OTLP.httpUrl}) and forwards them to Tempo, which keeps them for the profile's retention and serves them to Grafana.`,
      layer: 'observability',
      namespace: NAMESPACES.traces,
      version: TEMPO_IMAGE.tag,
      dependsOn: ['cilium', ...(props.profile.components.traces.storage === 'object-store' ? ['object-store', 'external-secrets'] : [])].filter((c) => dir.installs(c)),
    });
    const p = props.profile;
    const s = p.components.traces;
    const tempoImage = this.addImage(TEMPO_IMAGE);
    const collectorImage = this.addImage(OTEL_COLLECTOR_IMAGE);

    this.tempo = this.addPods({
      name: 'tempo',
      labels: TEMPO_POD_LABELS,
      ports: { http: { port: TEMPO_PORTS.http }, 'otlp-http': { port: TEMPO_PORTS.otlpHttp } },
      serviceAccount: TEMPO_RELEASE,
    });
    const storage = this.tempoStorage(s);
    this.addChart({ release: TEMPO_RELEASE, namespace: NAMESPACES.traces, values: tempoValues({ settings: s, image: tempoImage, storage }), ...TEMPO_CHART });
    this.addMetrics({ pods: this.tempo, port: 'http', provides: TEMPO_METRICS });
    const logs = dir.component('logs');
    this.addDatasource({
      uid: TEMPO_DATASOURCE_UID,
      name: 'Tempo',
      type: 'tempo',
      url: TEMPO_API.url,
      pods: this.tempo,
      port: 'http',
      // From a span to the logs of the same pod and time (Loki's datasource, when the profile installs it).
      ...(logs ? { jsonData: { tracesToLogsV2: { datasourceUid: 'loki', spanStartTimeShift: '-5m', spanEndTimeShift: '5m', filterByTraceID: false, tags: [{ key: 'k8s.namespace.name', value: 'k8s_namespace_name' }] } } } : {}),
    });

    const replicas = p.replicas.stateless;
    this.addChart({
      release: COLLECTOR_RELEASE,
      namespace: NAMESPACES.traces,
      values: traceCollectorValues({ image: collectorImage, settings: s.collector, config: traceCollectorConfig(TEMPO_API.otlpUrl), replicas }),
      ...OTEL_COLLECTOR_CHART,
    });
    this.collector = this.addPods({
      name: TRACES_OTLP.pods,
      labels: COLLECTOR_POD_LABELS,
      ports: { 'otlp-grpc': { port: TRACES_OTLP.grpcPort }, 'otlp-http': { port: TRACES_OTLP.httpPort }, metrics: { port: METRICS_PORT } },
      serviceAccount: COLLECTOR_RELEASE,
    });
    this.collector.connectsTo({ component: id, pods: 'tempo', port: 'otlp-http' }, 'the trace collector forwards spans to Tempo over OTLP/HTTP');
    this.addMetrics({ pods: this.collector, port: 'metrics', provides: COLLECTOR_METRICS });

    for (const rule of tracesAlerts(NAMESPACES.traces)) this.addAlert(rule);
    this.declareClaims(s, replicas);
  }

  /** Tempo's storage: its volume, or the object store with the key pair of its user there. */
  private tempoStorage(s: TracesSettings): TempoStorage {
    if (s.storage === 'filesystem') return { type: 'local' };
    return connectS3Client(this, this.tempo, { client: 'traces', secret: TEMPO_S3_SECRET, name: 'Tempo', pods: 'the Tempo server', stores: 'trace blocks' });
  }


  /** SI-4 (partial), AC-6 and SC-7, each on the values that implement it. */
  private declareClaims(s: TracesSettings, replicas: number): void {
    this.claim({
      control: 'si-4',
      status: 'partial',
      statement: `Workloads that emit OpenTelemetry traces send them to the trace collector (${replicas} replica${replicas > 1 ? 's' : ''}), which forwards them to Tempo; Tempo keeps them for ${s.retention} and Grafana shows them next to the logs. No platform workload emits traces yet.`,
      evidence: [onChartValues(TEMPO_RELEASE, 'tempo.retention', { equals: s.retention }), onChartValues(COLLECTOR_RELEASE, `alternateConfig.exporters.${TEMPO_EXPORTER}.endpoint`, { equals: TEMPO_API.otlpUrl })],
    });
    this.claim({
      control: 'sc-7',
      statement: 'Only workloads that declare the trace collector as their peer may send it traces; only the collector may push to Tempo, and only Grafana (and Prometheus on its metrics port) may query it.',
      evidence: [onObject(this.collector.networkPolicy, 'spec.policyTypes', { equals: ['Ingress', 'Egress'] }), onObject(this.tempo.networkPolicy, 'spec.policyTypes', { equals: ['Ingress', 'Egress'] })],
    });
    this.claim({
      control: 'ac-6',
      statement: 'Tempo and the trace collector run as non-root users without privilege escalation, with every Linux capability dropped, read-only root filesystems, the RuntimeDefault seccomp profile and no service account token.',
      evidence: [
        onChartValues(TEMPO_RELEASE, 'tempo.securityContext.runAsNonRoot', { equals: true }),
        onChartValues(TEMPO_RELEASE, 'serviceAccount.automountServiceAccountToken', { equals: false }),
        onChartValues(COLLECTOR_RELEASE, 'securityContext.capabilities.drop', { equals: ['ALL'] }),
        onChartValues(COLLECTOR_RELEASE, 'serviceAccount.automountServiceAccountToken', { equals: false }),
      ],
    });
  }
}
