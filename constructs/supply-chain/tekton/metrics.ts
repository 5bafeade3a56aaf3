/**
 * Metric names the Tekton controllers export on port 9090 (OpenTelemetry
 * with the Prometheus exporter), as their releases list them; alert rules
 * may name only these.
 */
import { histogram, type MetricNames } from '../../kit/alerts.js';

/** Pipelines controller, v1.15.0. */
export const PIPELINES_METRICS: MetricNames = {
  names: [
    'tekton_pipelines_controller_pipelinerun_total',
    'tekton_pipelines_controller_taskrun_total',
    'tekton_pipelines_controller_running_pipelineruns',
    'tekton_pipelines_controller_running_taskruns',
    ...histogram('tekton_pipelines_controller_pipelinerun_duration_seconds'),
    ...histogram('tekton_pipelines_controller_taskrun_duration_seconds'),
  ],
  source:
    'tektoncd/pipeline v1.15.0 docs/metrics.md ("Core Tekton Metrics") and pkg/pipelinerunmetrics/metrics.go (counter tekton_pipelines_controller_pipelinerun_total, label status success|failed|cancelled)',
};

/** Chains controller, v0.29.1. */
export const CHAINS_METRICS: MetricNames = {
  names: ['taskrun', 'pipelinerun'].flatMap((k) => [
    `watcher_${k}_sign_created_total`,
    `watcher_${k}_payload_uploaded_total`,
    `watcher_${k}_payload_stored_total`,
    `watcher_${k}_marked_signed_total`,
    `watcher_${k}_signing_failures_total`,
  ]),
  source: 'tektoncd/chains v0.29.1 docs/metrics.md and pkg/taskrunmetrics/metrics.go, pkg/pipelinerunmetrics/metrics.go (counters watcher_<kind>_signing_failures_total, ...)',
};
