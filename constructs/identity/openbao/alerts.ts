/**
 * OpenBao's alert rules. OpenBao's own telemetry is not scraped (its
 * `/v1/sys/metrics` needs a token or unauthenticated metrics access on the
 * listener, which Sovra does not open), so the seal state is read from the
 * readiness the chart derives from it: the readiness probe runs
 * `bao status`, which exits 2 when the server is sealed and 1 when it cannot
 * answer (openbao-helm 0.29.2 templates/server-statefulset.yaml), and
 * kube-state-metrics reports the pod not ready.
 */
import type { AlertRule } from '../../kit/alerts.js';

/** Alerts about OpenBao servers `<release>-<n>` in `namespace`. */
export function openBaoAlerts(namespace: string, release: string): AlertRule[] {
  return [
    {
      name: 'OpenBaoSealedOrUnavailable',
      expr: `max by (pod) (kube_pod_status_ready{namespace="${namespace}", pod=~"${release}-[0-9]+", condition="false"}) == 1`,
      for: '5m',
      severity: 'critical',
      summary: 'An OpenBao server is sealed or not answering.',
      description: 'OpenBao server {{ $labels.pod }} has failed its readiness check (bao status) for 5 minutes: it is sealed or down. Secrets, the platform PKI and External Secrets depend on it; unseal it (README, OpenBao runbook).',
      controls: ['sc-12', 'si-4'],
    },
  ];
}
