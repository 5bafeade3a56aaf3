/**
 * Alerts as code: a component declares the alert rules about its own
 * failures (through `Component.addAlert`), and the metric names each of its
 * metrics endpoints provides, with where that list comes from. The
 * monitoring component collects every rule into PrometheusRules and checks,
 * at synth, that each expression parses as PromQL and names only metrics a
 * declared exporter provides.
 */
import type { ControlId } from '../../controls/control-id.generated.js';

/** How urgent an alert is; Alertmanager routes by it. */
export type AlertSeverity = 'critical' | 'warning' | 'info';

/** One Prometheus alerting rule, declared by the component whose failure it detects. */
export interface AlertRule {
  /** Alert name, UpperCamelCase (Prometheus convention), unique in the platform, e.g. `SovraAuditTrailStopped`. */
  readonly name: string;
  /** PromQL expression; the alert fires for every series it returns. */
  readonly expr: string;
  /** How long the condition must hold before the alert fires (Prometheus duration). @default '5m' */
  readonly for?: string;
  readonly severity: AlertSeverity;
  /** One line for the operator. */
  readonly summary: string;
  /** What it means and what to do. */
  readonly description: string;
  /** Controls the alert supports (shown as a label, for the accreditor's trace). */
  readonly controls?: readonly ControlId[];
}

/** Metric names an exporter provides, and where the list comes from (upstream docs, source, dashboards). */
export interface MetricNames {
  /** Metric family names as scraped (histograms by their base name and `_bucket`/`_sum`/`_count`). */
  readonly names: readonly string[];
  /** Where the list was taken from (URL or repository path at a tag). */
  readonly source: string;
}

/** The names a histogram family exposes. */
export function histogram(name: string): string[] {
  return [name, `${name}_bucket`, `${name}_sum`, `${name}_count`];
}

const ALERT_NAME = /^[A-Z][A-Za-z0-9]{2,80}$/;
const DURATION = /^([0-9]+(ms|s|m|h|d|w|y))+$/;

/** Checks the shape of a rule (name, duration); the expression is checked by the monitoring component. */
export function alertProblems(owner: string, rule: AlertRule): string[] {
  const out: string[] = [];
  if (!ALERT_NAME.test(rule.name)) out.push(`component "${owner}": alert name "${rule.name}" must be UpperCamelCase letters and digits`);
  if (rule.for !== undefined && !DURATION.test(rule.for)) out.push(`component "${owner}": alert ${rule.name} has "for: ${rule.for}", not a Prometheus duration such as 5m`);
  return out;
}
