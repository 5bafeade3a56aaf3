/**
 * NATS JetStream's alert rules. NATS serves JSON monitoring, not Prometheus
 * metrics (the chart's prometheus-nats-exporter is not enabled), so the
 * JetStream file store is watched through the kubelet's volume statistics
 * of its PersistentVolumeClaims (`<fullname>-js-<pod>`, the chart's
 * default claim name, values.yaml config.jetstream.fileStore.pvc.name).
 */
import type { AlertRule } from '../../kit/alerts.js';

/** Fraction of the JetStream volume in use that raises an alert. */
export const JETSTREAM_STORAGE_THRESHOLD = 0.8;

/** Alerts about JetStream storage in `namespace` for release `release`. */
export function natsAlerts(namespace: string, release: string): AlertRule[] {
  const sel = `namespace="${namespace}", persistentvolumeclaim=~"${release}-js-.*"`;
  return [
    {
      name: 'NatsJetStreamStorageFilling',
      expr: `max by (persistentvolumeclaim) (kubelet_volume_stats_used_bytes{${sel}} / kubelet_volume_stats_capacity_bytes{${sel}}) > ${JETSTREAM_STORAGE_THRESHOLD}`,
      for: '15m',
      severity: 'warning',
      summary: 'NATS JetStream storage is filling up.',
      description: `JetStream volume {{ $labels.persistentvolumeclaim }} is more than ${JETSTREAM_STORAGE_THRESHOLD * 100}% full: streams will stop accepting messages when it is full (raise components.nats.fileStorage or the streams' limits).`,
      controls: ['au-4', 'si-4'],
    },
  ];
}
