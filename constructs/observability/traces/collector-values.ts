/**
 * The trace collector: the OpenTelemetry collector chart as a Deployment
 * that receives OTLP (gRPC and HTTP) from the workloads that declare it as
 * their peer (TRACES_OTLP) and forwards the spans to Tempo, batched, with a
 * bounded in-memory queue and retries. It reads nothing from the API server
 * (no token) and runs as the image's non-root user with the hardened
 * container.
 */
import type { TraceCollectorSettings } from '../../../profiles/profile.generated.js';
import type { ImageSpec } from '../../kit/image.js';
import { TRACES_OTLP } from '../../kit/shared-names.js';
import { COLLECTOR_COMMAND, METRICS_PORT, collectorImage, collectorPorts, collectorResources, collectorTelemetry, healthCheck, memoryLimiter } from '../logs/collector-chart.js';

/** Release of the trace collector; also the chart's full name (Deployment and Service `trace-collector`). */
export const COLLECTOR_RELEASE = TRACES_OTLP.service;
/** Pod labels of the trace collector (the chart's selector labels in deployment mode). */
export const COLLECTOR_POD_LABELS = { 'app.kubernetes.io/name': 'opentelemetry-collector', 'app.kubernetes.io/instance': COLLECTOR_RELEASE, component: 'standalone-collector' } as const;
/** Id of the exporter to Tempo (in the collector's metrics as the label `exporter`). */
export const TEMPO_EXPORTER = 'otlphttp/tempo';
/** UID of the collector image's user. */
const COLLECTOR_UID = 10001;

/** The collector's configuration (`alternateConfig`). */
export function traceCollectorConfig(tempoOtlpUrl: string): Record<string, unknown> {
  return {
    extensions: { health_check: healthCheck() },
    receivers: {
      otlp: {
        protocols: {
          grpc: { endpoint: `\${env:MY_POD_IP}:${TRACES_OTLP.grpcPort}` },
          http: { endpoint: `\${env:MY_POD_IP}:${TRACES_OTLP.httpPort}` },
        },
      },
    },
    processors: { memory_limiter: memoryLimiter(), batch: { send_batch_size: 1024, timeout: '1s' } },
    exporters: {
      [TEMPO_EXPORTER]: {
        endpoint: tempoOtlpUrl,
        sending_queue: { enabled: true, queue_size: 1000 },
        retry_on_failure: { enabled: true, initial_interval: '5s', max_interval: '30s', max_elapsed_time: '10m' },
      },
    },
    service: {
      extensions: ['health_check'],
      telemetry: collectorTelemetry(),
      pipelines: { traces: { receivers: ['otlp'], processors: ['memory_limiter', 'batch'], exporters: [TEMPO_EXPORTER] } },
    },
  };
}

/** The chart's values for the trace collector. */
export function traceCollectorValues(i: { image: ImageSpec; settings: TraceCollectorSettings; config: Record<string, unknown>; replicas: number }): Record<string, unknown> {
  return {
    mode: 'deployment',
    fullnameOverride: COLLECTOR_RELEASE,
    replicaCount: i.replicas,
    image: collectorImage(i.image),
    command: { name: COLLECTOR_COMMAND },
    alternateConfig: i.config,
    ports: collectorPorts({ otlp: { containerPort: TRACES_OTLP.grpcPort, appProtocol: 'grpc' }, 'otlp-http': { containerPort: TRACES_OTLP.httpPort }, metrics: { containerPort: METRICS_PORT } }),
    serviceAccount: { create: true, automountServiceAccountToken: false },
    podSecurityContext: { runAsUser: COLLECTOR_UID, runAsGroup: COLLECTOR_UID, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
    resources: collectorResources(i.settings.cpu, i.settings.memory),
    podDisruptionBudget: i.replicas > 1 ? { enabled: true, maxUnavailable: 1 } : { enabled: false },
  };
}
