/**
 * Dashboards as code: Grafana dashboards generated from the component
 * model, one per layer (a row per component: its scrape targets up, its
 * firing alerts, its pods ready) and one for the control plane (traffic,
 * latency, tiers and failover, audit trail, denials). Each is a ConfigMap
 * with the label Grafana's dashboard sidecar watches; every panel query is
 * checked like an alert rule (PromQL parses, metrics declared).
 */
import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import type { Component, Layer } from '../../kit/component.js';
import { checkExpression } from './rules.js';
import { COMPONENT_LABEL } from './monitors.js';
import { DASHBOARD_LABEL } from './values.js';

/** A panel: one or more queries drawn as a time series or a single stat. */
export interface Panel {
  readonly title: string;
  readonly type: 'timeseries' | 'stat';
  readonly queries: ReadonlyArray<{ readonly expr: string; readonly legend?: string }>;
  readonly unit?: string;
  /** Panel description shown in Grafana. */
  readonly description?: string;
}

/** A dashboard before it is rendered: uid, title, rows of panels. */
export interface DashboardSpec {
  readonly uid: string;
  readonly title: string;
  readonly rows: ReadonlyArray<{ readonly title: string; readonly panels: readonly Panel[] }>;
}

const DATASOURCE = { type: 'prometheus', uid: 'prometheus' } as const;

/** Grafana dashboard JSON (schemaVersion 39) of `d`; panel ids and positions are deterministic. */
export function dashboardJson(d: DashboardSpec): Record<string, unknown> {
  const panels: Record<string, unknown>[] = [];
  let id = 1;
  let y = 0;
  for (const row of d.rows) {
    panels.push({ id: id++, type: 'row', title: row.title, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y: y++ }, panels: [] });
    row.panels.forEach((p, i) => {
      const w = 8;
      panels.push({
        id: id++,
        type: p.type,
        title: p.title,
        ...(p.description ? { description: p.description } : {}),
        datasource: DATASOURCE,
        gridPos: { h: 6, w, x: (i % 3) * w, y: y + Math.floor(i / 3) * 6 },
        fieldConfig: { defaults: { unit: p.unit ?? 'short' }, overrides: [] },
        targets: p.queries.map((q, j) => ({ refId: String.fromCharCode(65 + j), datasource: DATASOURCE, expr: q.expr, ...(q.legend ? { legendFormat: q.legend } : {}) })),
      });
    });
    y += Math.ceil(row.panels.length / 3) * 6;
  }
  return { uid: d.uid, title: d.title, tags: ['sovra'], timezone: 'utc', editable: false, schemaVersion: 39, refresh: '1m', time: { from: 'now-6h', to: 'now' }, panels };
}

/** The row of one component in its layer's dashboard. */
function componentRow(c: Component): { title: string; panels: Panel[] } {
  const id = c.node.id;
  const sel = `${COMPONENT_LABEL}="${id}"`;
  const panels: Panel[] = [];
  if (c.metricsEndpoints.length > 0) panels.push({ title: 'Scrape targets up', type: 'stat', queries: [{ expr: `sum(up{${sel}}) or vector(0)` }], description: 'Targets of the PodMonitors derived from its metrics endpoints.' });
  panels.push({ title: 'Pods ready', type: 'stat', queries: [{ expr: `sum(kube_pod_status_ready{namespace="${c.info.namespace}", condition="true"}) or vector(0)` }] });
  panels.push({ title: 'Firing alerts', type: 'stat', queries: [{ expr: `count(ALERTS{alertstate="firing", ${sel}}) or vector(0)` }] });
  return { title: `${c.info.title} (${id})`, panels };
}

/** One dashboard per layer that has components, in the order components are built. */
export function layerDashboards(components: readonly Component[]): DashboardSpec[] {
  const layers = new Map<Layer, Component[]>();
  for (const c of components) layers.set(c.info.layer, [...(layers.get(c.info.layer) ?? []), c]);
  return [...layers.entries()].map(([layer, cs]) => ({ uid: `sovra-layer-${layer}`, title: `Sovra: ${layer} layer`, rows: cs.map(componentRow) }));
}

/** The control plane's dashboard (metrics of services/metrics.ts). */
export function controlPlaneDashboard(): DashboardSpec {
  const sel = `${COMPONENT_LABEL}="control-plane"`;
  return {
    uid: 'sovra-control-plane',
    title: 'Sovra: control plane',
    rows: [
      {
        title: 'Traffic',
        panels: [
          { title: 'Requests per second by status', type: 'timeseries', unit: 'reqps', queries: [{ expr: `sum by (status) (rate(sovra_http_requests_total{${sel}}[5m]))`, legend: '{{status}}' }] },
          { title: 'Latency p99 by route', type: 'timeseries', unit: 's', queries: [{ expr: `histogram_quantile(0.99, sum by (le, route) (rate(sovra_http_request_duration_seconds_bucket{${sel}}[5m])))`, legend: '{{route}}' }] },
          { title: 'Denied requests by reason', type: 'timeseries', unit: 'reqps', queries: [{ expr: `sum by (status, code) (rate(sovra_denied_requests_total{${sel}}[5m]))`, legend: '{{status}} {{code}}' }] },
        ],
      },
      {
        title: 'Inference tiers',
        panels: [
          { title: 'Inference calls by tier and outcome', type: 'timeseries', unit: 'reqps', queries: [{ expr: `sum by (tier, outcome) (rate(sovra_inference_requests_total{${sel}}[5m]))`, legend: '{{tier}} {{outcome}}' }] },
          { title: 'Failovers by tier left', type: 'timeseries', unit: 'reqps', queries: [{ expr: `sum by (from, phase) (rate(sovra_failovers_total{${sel}}[5m]))`, legend: '{{from}} {{phase}}' }] },
          { title: 'Breaker open', type: 'stat', queries: [{ expr: `max by (tier) (sovra_tier_breaker_open{${sel}})`, legend: '{{tier}}' }] },
        ],
      },
      {
        title: 'Audit trail',
        panels: [
          { title: 'Records waiting for their durable flush', type: 'timeseries', queries: [{ expr: `max(sovra_audit_pending_records{${sel}})` }] },
          { title: 'Journal records not yet in the database', type: 'timeseries', queries: [{ expr: `max(sovra_audit_journal_unapplied_records{${sel}})` }] },
          { title: 'Audit alerts firing', type: 'stat', queries: [{ expr: `count(ALERTS{alertstate="firing", ${sel}, alertname=~"SovraAudit.*"}) or vector(0)` }] },
        ],
      },
    ],
  };
}

/** Checks every panel query of `d` and writes it as a ConfigMap for Grafana's sidecar. */
export function addDashboard(scope: Construct, namespace: string, d: DashboardSpec, declared: ReadonlyMap<string, string>): ApiObject {
  for (const row of d.rows) for (const p of row.panels) for (const q of p.queries) checkExpression(q.expr, `dashboard ${d.uid}, panel "${p.title}"`, declared);
  return new ApiObject(scope, `Dashboard-${d.uid}`, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `dashboard-${d.uid}`, namespace, labels: { [DASHBOARD_LABEL.key]: DASHBOARD_LABEL.value } },
    data: { [`${d.uid}.json`]: JSON.stringify(dashboardJson(d)) },
  });
}
