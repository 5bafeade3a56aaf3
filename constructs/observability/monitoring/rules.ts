/**
 * Alerts as code: every component's declared alert rules, checked and
 * written as one PrometheusRule per component. The check runs at synth: each
 * expression must parse as PromQL and name only metrics a declared exporter
 * provides (the metric names on every metrics endpoint, plus the exporters
 * the monitoring component runs itself); a rule that fails stops the synth
 * with a SovraError naming component, alert and metric.
 */
import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { SovraError } from '../../../core/errors.js';
import type { AlertRule, MetricNames } from '../../kit/alerts.js';
import type { Component } from '../../kit/component.js';
import { parsePromQL } from '../../kit/promql.js';
import { COMPONENT_LABEL } from './monitors.js';

/** Every metric name the platform's declared exporters provide, with the source that lists it. */
export function declaredMetrics(components: readonly Component[], builtIn: readonly MetricNames[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const b of builtIn) for (const n of b.names) if (!out.has(n)) out.set(n, b.source);
  for (const c of components) for (const m of c.metricsEndpoints) for (const n of m.provides?.names ?? []) if (!out.has(n)) out.set(n, m.provides!.source);
  return out;
}

/** Checks one PromQL expression of `where`: it parses and names only declared metrics. Returns the metrics it names. */
export function checkExpression(expr: string, where: string, declared: ReadonlyMap<string, string>): readonly string[] {
  const { metrics } = parsePromQL(expr, where);
  const unknown = metrics.filter((m) => !declared.has(m));
  if (unknown.length > 0) {
    throw new SovraError(
      'bad-input',
      `${where}: the expression names ${unknown.map((m) => `"${m}"`).join(', ')}, which no declared exporter provides. Declare the metric on the metrics endpoint that exports it (addMetrics({ ..., provides: { names, source } })) or fix the name. Expression: ${expr}`,
    );
  }
  return metrics;
}

/** The rule as Prometheus reads it, with the component's label and the controls it supports. */
function ruleOf(owner: string, r: AlertRule): Record<string, unknown> {
  return {
    alert: r.name,
    expr: r.expr,
    for: r.for ?? '5m',
    labels: { severity: r.severity, [COMPONENT_LABEL]: owner, ...(r.controls && r.controls.length > 0 ? { sovra_controls: [...r.controls].sort().join(',') } : {}) },
    annotations: { summary: r.summary, description: r.description },
  };
}

/** Checks every component's rules and writes one PrometheusRule per component that declares any; returns them by component id. */
export function addPrometheusRules(scope: Construct, namespace: string, components: readonly Component[], declared: ReadonlyMap<string, string>): Map<string, ApiObject> {
  const out = new Map<string, ApiObject>();
  const names = new Map<string, string>();
  for (const c of components) {
    if (c.alerts.length === 0) continue;
    const id = c.node.id;
    for (const r of c.alerts) {
      const other = names.get(r.name);
      if (other) throw new SovraError('bad-input', `alert ${r.name} is declared by components "${other}" and "${id}"; alert names must be unique in the platform.`);
      names.set(r.name, id);
      checkExpression(r.expr, `component "${id}", alert ${r.name}`, declared);
    }
    out.set(
      id,
      new ApiObject(scope, `PrometheusRule-${id}`, {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PrometheusRule',
        metadata: { name: `${id}-alerts`, namespace, labels: { [COMPONENT_LABEL]: id } },
        spec: { groups: [{ name: `sovra.${id}`, rules: c.alerts.map((r) => ruleOf(id, r)) }] },
      }),
    );
  }
  return out;
}

/** Index of alert `name` in the PrometheusRule of its component (for evidence paths). */
export function ruleIndex(component: Component, name: string): number {
  const i = component.alerts.findIndex((a) => a.name === name);
  if (i < 0) throw new Error(`component ${component.node.id} declares no alert ${name}`);
  return i;
}
