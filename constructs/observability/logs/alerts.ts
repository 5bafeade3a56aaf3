/**
 * What the log pipeline exports about itself and the alerts on its
 * failures. A log record that does not reach Loki, or that Loki refuses,
 * is an audit record that may be lost: those alerts are AU-5's (response
 * to audit logging process failures).
 */
import type { AlertRule, MetricNames } from '../../kit/alerts.js';
import { histogram } from '../../kit/alerts.js';

/** The collector's internal metrics the chart's own alert rules name (opentelemetry-collector 0.170.0). */
export const COLLECTOR_METRICS: MetricNames = {
  names: [
    'otelcol_receiver_refused_log_records_total',
    'otelcol_receiver_refused_spans_total',
    'otelcol_exporter_send_failed_log_records_total',
    'otelcol_exporter_send_failed_spans_total',
    'otelcol_exporter_enqueue_failed_log_records_total',
    'otelcol_exporter_enqueue_failed_spans_total',
    'otelcol_exporter_queue_size',
    'otelcol_exporter_queue_capacity',
  ],
  source: 'open-telemetry/opentelemetry-helm-charts opentelemetry-collector-0.170.0 templates/prometheusrule.yaml (the chart\'s default alert rules on the collector\'s internal telemetry, appVersion 0.158.0)',
};

/** Loki's metrics as the chart's monitoring mixin names them (loki 18.11.0, Loki 3.7.6). */
export const LOKI_METRICS: MetricNames = {
  names: [
    ...histogram('loki_request_duration_seconds'),
    'loki_panic_total',
    'loki_discarded_samples_total',
    'loki_distributor_lines_received_total',
    'loki_distributor_bytes_received_total',
    'loki_ingester_chunks_flushed_total',
    'loki_compactor_apply_retention_last_successful_run_timestamp_seconds',
    'loki_boltdb_shipper_compact_tables_operation_last_successful_run_timestamp_seconds',
    'loki_build_info',
  ],
  source: 'grafana-community/helm-charts loki-18.11.0 templates/monitoring (alerts/loki_alerts.yaml, dashboards) — the Loki mixin the chart ships for Loki 3.7.6',
};

/** Alerts of the log pipeline; `agentNamespace` selects the agents' series. */
export function logsAlerts(agentNamespace: string): AlertRule[] {
  const agents = `namespace="${agentNamespace}"`;
  return [
    {
      name: 'LogCollectorExportFailing',
      expr: `sum by (pod, exporter) (rate(otelcol_exporter_send_failed_log_records_total{${agents}}[5m])) > 0`,
      for: '10m',
      severity: 'critical',
      summary: 'A node log collector cannot deliver log records to Loki.',
      description:
        'The log collector {{ $labels.pod }} fails to send log records through {{ $labels.exporter }} for 10 minutes. Audit records wait in its queue on the node and then in the files; if Loki stays unreachable they are lost when the kubelet or the API server rotates the files. Check Loki and the network path.',
      controls: ['au-5'],
    },
    {
      name: 'LogCollectorQueueFilling',
      expr: `max by (pod, exporter) (otelcol_exporter_queue_size{${agents}} / otelcol_exporter_queue_capacity{${agents}}) > 0.8`,
      for: '10m',
      severity: 'warning',
      summary: 'A node log collector is falling behind.',
      description: 'The export queue of {{ $labels.pod }} ({{ $labels.exporter }}) is more than 80% full: Loki accepts records more slowly than the node writes them. When it is full the collector stops reading the log files.',
      controls: ['au-5', 'au-4'],
    },
    {
      name: 'LogCollectorRefusingRecords',
      expr: `sum by (pod, receiver) (rate(otelcol_receiver_refused_log_records_total{${agents}}[5m])) > 0`,
      for: '10m',
      severity: 'warning',
      summary: 'A node log collector refuses records it reads.',
      description: 'The receiver {{ $labels.receiver }} of {{ $labels.pod }} has its records refused by the pipeline (memory limit or a full queue) for 10 minutes; it retries, reading no further until they are accepted.',
      controls: ['au-5'],
    },
    {
      name: 'LokiDiscardingRecords',
      expr: 'sum by (reason) (increase(loki_discarded_samples_total[10m])) > 0',
      for: '1m',
      severity: 'critical',
      summary: 'Loki discards log records.',
      description: 'Loki refused log records in the last 10 minutes ({{ $labels.reason }}): records too old, over a rate or size limit, or malformed. Refused records are not stored; audit records among them are lost.',
      controls: ['au-5'],
    },
    {
      name: 'LokiRequestErrors',
      expr: 'sum by (route) (rate(loki_request_duration_seconds_count{status_code=~"5.."}[5m])) / sum by (route) (rate(loki_request_duration_seconds_count[5m])) > 0.05',
      for: '15m',
      severity: 'critical',
      summary: 'Loki answers with server errors.',
      description: 'More than 5% of requests to Loki route {{ $labels.route }} fail with a server error: pushes from the collectors or queries from Grafana are failing.',
      controls: ['au-5', 'au-6'],
    },
    {
      name: 'LokiRetentionNotRunning',
      expr: 'time() - max(loki_compactor_apply_retention_last_successful_run_timestamp_seconds) > 86400',
      for: '1h',
      severity: 'warning',
      summary: 'Loki has not applied its retention for a day.',
      description: "Loki's compactor has not deleted expired logs for more than 24 hours: the volume fills beyond what the retention allows for.",
      controls: ['au-4', 'au-11'],
    },
  ];
}
