/**
 * The monitoring component's own alert rules: about the API server
 * (admission denials, audit write errors), scrape targets, and the
 * monitoring pipeline itself (rule evaluation, notifications).
 */
import type { AlertRule } from '../../kit/alerts.js';

/** Alerts declared by the monitoring component. */
export function monitoringOwnAlerts(): AlertRule[] {
  return [
    {
      name: 'ScrapeTargetDown',
      expr: 'up == 0',
      for: '10m',
      severity: 'warning',
      summary: 'A declared metrics endpoint cannot be scraped.',
      description: 'Prometheus has failed to scrape {{ $labels.sovra_component }}/{{ $labels.sovra_pods }} ({{ $labels.instance }}) for 10 minutes: the component is down or its metrics endpoint is unreachable.',
      controls: ['si-4'],
    },
    {
      name: 'KubeAdmissionPolicyDenials',
      expr: 'sum by (policy, enforcement_action) (increase(apiserver_validating_admission_policy_check_total{enforcement_action="deny"}[10m])) > 0',
      for: '1m',
      severity: 'warning',
      summary: 'Admission policies denied requests.',
      description: 'ValidatingAdmissionPolicy {{ $labels.policy }} denied requests in the last 10 minutes: someone tried to create an object the platform policy forbids.',
      controls: ['au-6', 'si-4'],
    },
    {
      name: 'KubeAdmissionWebhookRejections',
      expr: 'sum by (name, operation) (increase(apiserver_admission_webhook_rejection_count[10m])) > 0',
      for: '1m',
      severity: 'warning',
      summary: 'Admission webhooks rejected requests.',
      description: 'Admission webhook {{ $labels.name }} rejected {{ $labels.operation }} requests in the last 10 minutes.',
      controls: ['au-6', 'si-4'],
    },
    {
      name: 'KubeApiserverAuditErrors',
      expr: 'sum by (instance) (rate(apiserver_audit_error_total[5m])) > 0',
      for: '1m',
      severity: 'critical',
      summary: 'The API server fails to write audit events.',
      description: 'The Kubernetes API server on {{ $labels.instance }} reports audit events it could not write to its audit backend.',
      controls: ['au-5'],
    },
    {
      name: 'PrometheusRuleEvaluationFailures',
      expr: 'sum by (pod) (increase(prometheus_rule_evaluation_failures_total[10m])) > 0',
      for: '5m',
      severity: 'critical',
      summary: 'Prometheus fails to evaluate alert rules.',
      description: 'Prometheus {{ $labels.pod }} failed to evaluate rules: alerts may not fire.',
      controls: ['ca-7', 'si-4'],
    },
    {
      name: 'AlertmanagerNotificationsFailing',
      expr: 'sum by (integration) (rate(alertmanager_notifications_failed_total[5m])) > 0',
      for: '5m',
      severity: 'critical',
      summary: 'Alertmanager cannot deliver notifications.',
      description: 'Alertmanager fails to notify through {{ $labels.integration }}: operators are not told about firing alerts.',
      controls: ['ir-4'],
    },
  ];
}
