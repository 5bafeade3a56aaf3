/**
 * cert-manager's alert rules and the metric names its controller provides.
 * The names come from cert-manager's documentation of its Prometheus
 * metrics (v1.21); the monitoring component checks and writes the rules.
 */
import type { AlertRule, MetricNames } from '../../kit/alerts.js';

/** What the cert-manager controller's `/metrics` (port 9402) provides. */
export const CERT_MANAGER_CONTROLLER_METRICS: MetricNames = {
  names: [
    'certmanager_certificate_expiration_timestamp_seconds',
    'certmanager_certificate_renewal_timestamp_seconds',
    'certmanager_certificate_ready_status',
    'certmanager_clock_time_seconds_gauge',
    'certmanager_controller_sync_call_count',
    'certmanager_controller_sync_error_count',
  ],
  source: 'https://cert-manager.io/docs/devops-tips/prometheus-metrics/ (cert-manager v1.21, controller metrics) and pkg/metrics/metrics.go at v1.21.1',
};

/** Days before expiry at which a certificate that has not renewed raises an alert (renewal happens at two thirds of its lifetime). */
export const EXPIRY_WARNING_DAYS = 14;

/** Alerts about certificates. */
export function certManagerAlerts(): AlertRule[] {
  return [
    {
      name: 'CertificateExpiringSoon',
      expr: `(certmanager_certificate_expiration_timestamp_seconds - time()) < ${EXPIRY_WARNING_DAYS} * 86400`,
      for: '1h',
      severity: 'warning',
      summary: 'A certificate expires soon and has not been renewed.',
      description: `Certificate {{ $labels.namespace }}/{{ $labels.name }} expires in less than ${EXPIRY_WARNING_DAYS} days: cert-manager failed to renew it (check the issuer and the Certificate's events).`,
      controls: ['sc-12', 'si-4'],
    },
    {
      name: 'CertificateNotReady',
      expr: 'max by (namespace, name) (certmanager_certificate_ready_status{condition="False"}) == 1',
      for: '15m',
      severity: 'critical',
      summary: 'A certificate is not ready.',
      description: 'Certificate {{ $labels.namespace }}/{{ $labels.name }} has not been ready for 15 minutes: its Secret is missing or stale.',
      controls: ['sc-12'],
    },
  ];
}
