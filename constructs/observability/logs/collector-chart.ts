/**
 * The OpenTelemetry collector chart and image, pinned once for the two
 * collectors of the platform (the node log agents of component logs and the
 * trace collector of component traces), and the values both write the same
 * way: the collector's own configuration in `alternateConfig` (the chart's
 * default receivers, Jaeger and Zipkin among them, are not merged in), only
 * the ports the collector serves, its metrics on METRICS_PORT, the
 * Kubernetes attributes preset (the chart adds the `k8s_attributes`
 * processor to every pipeline and its read-only ClusterRole), resources, and
 * the hardened container where the collector allows it.
 */
import type { ImagePin, ImageSpec } from '../../kit/image.js';

/** Chart coordinates; the digest is the gh-pages index entry of 0.170.0 (../shared/charts/otel/_pub). */
export const OTEL_COLLECTOR_CHART = {
  repository: 'https://open-telemetry.github.io/opentelemetry-helm-charts',
  chart: 'opentelemetry-collector',
  version: '0.170.0',
  digest: 'sha256:ed140b332233075c7fd15eaebba571fdf100926f08c0a5a274c7b32895315137',
  license: 'Apache-2.0',
  source: 'open-telemetry/opentelemetry-helm-charts index.yaml, opentelemetry-collector 0.170.0 (tag opentelemetry-collector-0.170.0, f5178cb9)',
} as const;

/**
 * The collector's Kubernetes distribution (file_log receiver, k8s_attributes
 * processor, file_storage extension, OTLP exporters), as the chart's README
 * and examples at 0.170.0 name it, at the chart's appVersion. Its
 * entrypoint is COLLECTOR_COMMAND.
 */
export const OTEL_COLLECTOR_IMAGE = {
  registry: 'ghcr.io',
  repository: 'open-telemetry/opentelemetry-collector-releases/opentelemetry-collector-k8s',
  tag: '0.158.0',
  license: 'Apache-2.0',
  source: 'opentelemetry-collector chart 0.170.0 (appVersion 0.158.0), README.md and examples/*/values.yaml image.repository',
} as const satisfies ImagePin;

/** The executable of the k8s distribution (the chart's `command.name`). */
export const COLLECTOR_COMMAND = 'otelcol-k8s';
/** Port of the collector's own metrics (Prometheus pull reader of its internal telemetry). */
export const METRICS_PORT = 8888;
/** Port of the health_check extension the chart's probes call. */
export const HEALTH_PORT = 13133;
/** Container name the chart gives the collector (its lower-cased chart name). */
export const COLLECTOR_CONTAINER = 'opentelemetry-collector';

/** The chart's ports, each off unless named in `on` (the chart's defaults open Jaeger, Zipkin and OTLP with host ports on agents). */
export function collectorPorts(on: Readonly<Record<string, { readonly containerPort: number; readonly appProtocol?: string }>>): Record<string, Record<string, unknown>> {
  const all = ['otlp', 'otlp-http', 'jaeger-compact', 'jaeger-thrift', 'jaeger-grpc', 'zipkin', 'metrics'];
  return Object.fromEntries(
    all.map((name) => {
      const p = on[name];
      return [name, p ? { enabled: true, containerPort: p.containerPort, servicePort: p.containerPort, protocol: 'TCP', ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) } : { enabled: false }];
    }),
  );
}

/** The `service.telemetry` section: the collector's own logs as JSON, its metrics for Prometheus on METRICS_PORT. */
export function collectorTelemetry(): Record<string, unknown> {
  return {
    logs: { encoding: 'json' },
    metrics: { readers: [{ pull: { exporter: { prometheus: { host: '${env:MY_POD_IP}', port: METRICS_PORT } } } }] },
  };
}

/** The health_check extension the chart's probes call (mandatory for the chart). */
export function healthCheck(): Record<string, unknown> {
  return { endpoint: `\${env:MY_POD_IP}:${HEALTH_PORT}` };
}

/** The memory limiter at the head of every pipeline: refuse data before the container's limit is reached. */
export function memoryLimiter(): Record<string, unknown> {
  return { check_interval: '5s', limit_percentage: 80, spike_limit_percentage: 25 };
}

/** Image block of the chart: by digest when locked (the chart then ignores the tag). */
export function collectorImage(image: ImageSpec): Record<string, unknown> {
  return { repository: `${image.registry}/${image.repository}`, tag: image.tag, digest: image.digest ?? '', pullPolicy: 'IfNotPresent' };
}

/** Requests and limits (equal memory, so GOMEMLIMIT, which the chart derives from the limit, holds). */
export function collectorResources(cpu: string, memory: string): Record<string, unknown> {
  return { requests: { cpu, memory }, limits: { cpu, memory } };
}
