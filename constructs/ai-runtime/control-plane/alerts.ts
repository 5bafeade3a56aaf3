/**
 * The control plane's alert rules and the metric names its `/metrics`
 * provides (read from the service's own metric definitions,
 * services/metrics.ts). The monitoring component checks and writes them.
 */
import { CONTROL_PLANE_METRIC_NAMES } from '../../../contracts/control-plane.js';
import type { AlertRule, MetricNames } from '../../kit/alerts.js';

/** What the control plane's `/metrics` exposes. */
export function controlPlaneMetrics(): MetricNames {
  return { names: [...CONTROL_PLANE_METRIC_NAMES], source: 'services/metrics.ts (ServiceMetrics), the control plane service this image runs' };
}

/** Audit records allowed to wait for their durable flush before the trail counts as lagging. */
export const AUDIT_LAG_THRESHOLD = 100;

/** Alerts about the control plane: its audit trail (AU-5), inference tiers and failover. */
export function controlPlaneAlerts(): AlertRule[] {
  return [
    {
      name: 'SovraAuditTrailStopped',
      // Group commit flushes pending records within milliseconds; pending never reaching zero for 10 minutes means flushes stopped.
      expr: 'min_over_time(sovra_audit_pending_records[10m]) > 0',
      for: '0m',
      severity: 'critical',
      summary: 'The audit trail has stopped: records are not being made durable.',
      description: 'Control plane pod {{ $labels.pod }} has had audit records waiting for their durable flush for 10 minutes. Requests wait for their audit record, so the API stalls; check the audit journal volume and the database.',
      controls: ['au-5'],
    },
    {
      name: 'SovraAuditTrailLag',
      expr: `max by (pod) (sovra_audit_pending_records) > ${AUDIT_LAG_THRESHOLD} or max by (pod) (sovra_audit_journal_unapplied_records) > 10 * ${AUDIT_LAG_THRESHOLD}`,
      for: '5m',
      severity: 'warning',
      summary: 'The audit trail is lagging.',
      description: `Control plane pod {{ $labels.pod }} has more than ${AUDIT_LAG_THRESHOLD} audit records waiting for their flush, or more than ${10 * AUDIT_LAG_THRESHOLD} journal records not yet copied into the database, for 5 minutes.`,
      controls: ['au-5'],
    },
    {
      name: 'SovraFailoverRateHigh',
      expr: 'sum by (from) (rate(sovra_failovers_total[10m])) > 0.1',
      for: '10m',
      severity: 'warning',
      summary: 'Inference fails over from one tier to the next often.',
      description: 'More than one failover every 10 seconds away from tier {{ $labels.from }} over 10 minutes: that tier is failing and traffic runs on the next one.',
      controls: ['si-4'],
    },
    {
      name: 'SovraInferenceTierDown',
      expr: 'max by (tier) (sovra_tier_breaker_open) == 1',
      for: '5m',
      severity: 'critical',
      summary: 'An inference tier is down (circuit breaker open).',
      description: 'The circuit breaker of tier {{ $labels.tier }} has been open for 5 minutes: requests skip it.',
      controls: ['si-4'],
    },
  ];
}
