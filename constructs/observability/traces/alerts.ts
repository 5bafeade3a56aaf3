/** What Tempo exports about itself and the alerts on the trace pipeline's failures. */
import type { AlertRule, MetricNames } from '../../kit/alerts.js';
import { histogram } from '../../kit/alerts.js';

/** Tempo's metrics as the Tempo mixin's alerts name them. */
export const TEMPO_METRICS: MetricNames = {
  names: [...histogram('tempo_request_duration_seconds'), 'tempodb_compaction_errors_total', 'tempo_ingester_failed_flushes_total', 'tempodb_blocklist_poll_errors_total', 'tempodb_blocklist_length', 'tempo_build_info'],
  source: 'grafana/tempo operations/tempo-mixin/alerts.libsonnet (TempoRequestErrors, TempoCompactionsFailing, TempoIngesterFlushesUnhealthy, TempoPollsFailing)',
};

/** Alerts of the trace pipeline; `namespace` selects the collector's series. */
export function tracesAlerts(namespace: string): AlertRule[] {
  return [
    {
      name: 'TraceCollectorExportFailing',
      expr: `sum by (pod, exporter) (rate(otelcol_exporter_send_failed_spans_total{namespace="${namespace}"}[5m])) > 0`,
      for: '10m',
      severity: 'warning',
      summary: 'The trace collector cannot deliver spans to Tempo.',
      description: 'The trace collector {{ $labels.pod }} fails to send spans through {{ $labels.exporter }} for 10 minutes; spans are dropped once its queue is full or a batch has been retried for 10 minutes.',
      controls: ['si-4'],
    },
    {
      name: 'TempoCompactionsFailing',
      expr: 'sum(increase(tempodb_compaction_errors_total[1h])) > 2 and sum(increase(tempodb_compaction_errors_total[5m])) > 0',
      for: '1h',
      severity: 'warning',
      summary: 'Tempo fails to compact trace blocks.',
      description: 'Tempo reported compaction errors in the last hour: blocks pile up and retention is not applied to them.',
      controls: ['si-4'],
    },
    {
      name: 'TempoFlushesFailing',
      expr: 'sum(increase(tempo_ingester_failed_flushes_total[1h])) > 2 and sum(increase(tempo_ingester_failed_flushes_total[5m])) > 0',
      for: '5m',
      severity: 'warning',
      summary: 'Tempo fails to write trace blocks to storage.',
      description: 'Tempo failed to flush blocks from its write-ahead log to its storage in the last hour; traces stay on the volume and are lost if it fills.',
      controls: ['si-4'],
    },
  ];
}
