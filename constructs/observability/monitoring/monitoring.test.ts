/**
 * The monitoring component over the whole stack: every metrics endpoint
 * has its PodMonitor, every port named like metrics is a declared endpoint,
 * every alert rule is written and checked (a rule naming an undeclared
 * metric or not parsing stops the synth), dashboards per layer and for the
 * control plane, per-profile sizing, Grafana's Keycloak login, the claims,
 * and the Grafana waiver in the SBOM. A GPU exporter stands in for the
 * gpu-operator component (built on another branch) to show that a
 * component's own DCGM alerts are collected the same way.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Construct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSovraError } from '../../../core/errors.js';
import { loadProfile } from '../../../profiles/load.js';
import { buildPlatform, renderObjects } from '../../../synth/synth.js';
import { COMPONENTS } from '../../registry.js';
import { removeDir, synthProfile, tempDir, writtenObjects, type K8sObject } from '../../../test/support/synth-output.js';
import type { AlertRule } from '../../kit/alerts.js';
import { Component, type ComponentProps } from '../../kit/component.js';
import type { ComponentDefinition } from '../../kit/definition.js';
import { parsePromQL } from '../../kit/promql.js';
import type { Monitoring } from './monitoring.js';
import { DASHBOARD_LABEL, MONITORING_NAMESPACE } from './values.js';

type Obj = K8sObject & { spec?: Record<string, unknown>; data?: Record<string, string> };

/** Renders a built-in profile in memory, with extra components; returns the platform, monitoring and every object. */
function render(profile: 'dev' | 'edge' | 'cluster', extra: readonly ComponentDefinition[] = []) {
  const { platform } = buildPlatform(loadProfile(profile), { components: [...COMPONENTS, ...extra] });
  const objects = [...renderObjects(platform).values()].flat() as Obj[];
  return { platform, monitoring: platform.component('monitoring') as Monitoring, objects };
}

/** A stand-in for a GPU exporter (DCGM), declaring its metrics and its own alert. */
function gpuExporter(alert: Partial<AlertRule> = {}): ComponentDefinition {
  class GpuExporter extends Component {
    constructor(scope: Construct, id: string, props: ComponentProps) {
      super(scope, id, props, { title: 'GPU exporter (test stand-in)', description: 'DCGM exporter written by a test.', layer: 'ai-runtime', namespace: 'gpu-test', version: '1.0.0' });
      const pods = this.addPods({ name: 'dcgm-exporter', labels: { app: 'nvidia-dcgm-exporter' }, ports: { metrics: { port: 9400 } }, serviceAccount: 'dcgm-exporter' });
      this.addMetrics({ pods, port: 'metrics', provides: { names: ['DCGM_FI_DEV_XID_ERRORS', 'DCGM_FI_DEV_GPU_TEMP'], source: 'NVIDIA/dcgm-exporter etc/default-counters.csv (test stand-in)' } });
      this.addAlert({ name: 'GpuXidErrors', expr: 'max by (gpu, Hostname) (DCGM_FI_DEV_XID_ERRORS) > 0', severity: 'critical', summary: 'A GPU reports XID errors.', description: 'GPU {{ $labels.gpu }} on {{ $labels.Hostname }} reported an XID error.', ...alert });
    }
  }
  return { id: 'gpu-test', layer: 'ai-runtime', create: (s, id, p) => new GpuExporter(s, id, p) };
}

const values = (m: Monitoring) => m.charts[0]!.values as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe.each(['dev', 'edge', 'cluster'] as const)('monitoring on %s', (profile) => {
  const { platform, monitoring, objects } = render(profile);
  const podMonitors = objects.filter((o) => o.kind === 'PodMonitor');

  it('writes one PodMonitor per declared metrics endpoint, selecting its pods by label in their namespace, on its port and path', () => {
    const endpoints = platform.metricsEndpoints();
    expect(endpoints.length).toBeGreaterThan(10);
    expect(podMonitors).toHaveLength(endpoints.length);
    for (const m of endpoints) {
      const found = podMonitors.filter((o) => {
        const spec = o.spec as { namespaceSelector: { matchNames: string[] }; selector: { matchLabels: Record<string, string> }; podMetricsEndpoints: Array<{ portNumber: number; path: string; relabelings: Array<{ replacement: string }> }> };
        return (
          spec.namespaceSelector.matchNames[0] === m.pods.namespace &&
          JSON.stringify(spec.selector.matchLabels) === JSON.stringify(m.pods.labels) &&
          spec.podMetricsEndpoints[0]!.portNumber === m.pods.port(m.port).port &&
          spec.podMetricsEndpoints[0]!.path === (m.path ?? '/metrics') &&
          spec.podMetricsEndpoints[0]!.relabelings[0]!.replacement === m.pods.owner.id
        );
      });
      expect(found, `${m.pods.owner.id}/${m.pods.name}:${m.port}`).toHaveLength(1);
    }
    for (const o of podMonitors) expect(o.metadata.namespace).toBe(MONITORING_NAMESPACE);
  });

  it('has no pod group with a port named like metrics that is not a declared (and so monitored) endpoint', () => {
    const declared = new Set(platform.metricsEndpoints().map((m) => `${m.pods.owner.id}/${m.pods.name}:${m.port}`));
    const metricsPorts = platform.podGroups().flatMap((g) => Object.keys(g.ports).filter((p) => /metrics|prometheus|telemetry/.test(p)).map((p) => `${g.owner.id}/${g.name}:${p}`));
    expect(metricsPorts.length).toBeGreaterThan(5);
    expect(metricsPorts.filter((p) => !declared.has(p))).toEqual([]);
  });

  it('writes every declared alert rule into its component PrometheusRule, and each parses and names only declared metrics', () => {
    const rules = objects.filter((o) => o.kind === 'PrometheusRule');
    const written = rules.flatMap((r) => ((r.spec as { groups: Array<{ rules: Array<{ alert: string; expr: string; labels: Record<string, string> }> }> }).groups[0]!.rules).map((x) => ({ ...x, owner: r.metadata.labels!.sovra_component })));
    const declared = platform.components.flatMap((c) => c.alerts.map((a) => ({ name: a.name, owner: c.node.id })));
    expect(written.map((w) => `${w.owner}:${w.alert}`).sort()).toEqual(declared.map((d) => `${d.owner}:${d.name}`).sort());
    const names = new Set([...platform.metricsEndpoints().flatMap((m) => m.provides?.names ?? []), 'up', 'ALERTS']);
    for (const w of written) {
      expect(w.labels.sovra_component).toBe(w.owner);
      for (const metric of parsePromQL(w.expr, w.alert).metrics) if (!names.has(metric)) expect(['apiserver_validating_admission_policy_check_total', 'apiserver_admission_webhook_rejection_count', 'apiserver_audit_error_total', 'kubelet_volume_stats_used_bytes', 'kubelet_volume_stats_capacity_bytes']).toContain(metric);
    }
    for (const name of ['SovraAuditTrailStopped', 'SovraAuditTrailLag', 'SovraFailoverRateHigh', 'SovraInferenceTierDown', 'CertificateExpiringSoon', 'OpenBaoSealedOrUnavailable', 'NatsJetStreamStorageFilling', 'KubeAdmissionPolicyDenials']) {
      expect(written.map((w) => w.alert)).toContain(name);
    }
  });

  it('provisions one dashboard per layer and one for the control plane through the sidecar label', () => {
    const dashboards = objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.[DASHBOARD_LABEL.key] === DASHBOARD_LABEL.value);
    const layers = [...new Set(platform.components.map((c) => c.info.layer))];
    expect(dashboards.map((d) => d.metadata.name).sort()).toEqual([...layers.map((l) => `dashboard-sovra-layer-${l}`), 'dashboard-sovra-control-plane'].sort());
    expect(values(monitoring).grafana.sidecar.dashboards).toMatchObject({ enabled: true, label: DASHBOARD_LABEL.key, labelValue: DASHBOARD_LABEL.value });
    const cp = JSON.parse(dashboards.find((d) => d.metadata.name === 'dashboard-sovra-control-plane')!.data!['sovra-control-plane.json']!) as { panels: Array<{ targets?: Array<{ expr: string }> }> };
    const exprs = cp.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
    expect(exprs.some((e) => e.includes('sovra_audit_pending_records'))).toBe(true);
    expect(exprs.some((e) => e.includes('sovra_failovers_total'))).toBe(true);
    const data = JSON.parse(dashboards.find((d) => d.metadata.name === 'dashboard-sovra-layer-data')!.data!['sovra-layer-data.json']!) as { panels: Array<{ type: string; title: string }> };
    expect(data.panels.filter((p) => p.type === 'row').map((p) => p.title)).toEqual(expect.arrayContaining(['NATS JetStream (nats)']));
  });

  it('sizes Prometheus and Alertmanager for the profile and takes retention from its settings', () => {
    const v = values(monitoring);
    const s = platform.profile.components.monitoring;
    expect(v.prometheus.prometheusSpec.retention).toBe(s.retention);
    expect(v.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage).toBe(s.storage);
    if (profile === 'cluster') {
      expect(v.prometheus.prometheusSpec.replicas).toBe(2);
      expect(v.alertmanager.alertmanagerSpec.replicas).toBe(3);
      expect(v.prometheus.prometheusSpec.podAntiAffinity).toBe('hard');
      expect(v.prometheus.podDisruptionBudget.enabled).toBe(true);
      expect(s.retention).toBe('90d');
    } else {
      expect(v.prometheus.prometheusSpec.replicas).toBe(1);
      expect(v.alertmanager.alertmanagerSpec.replicas).toBe(1);
      expect(v.prometheus.podDisruptionBudget.enabled).toBe(false);
    }
  });

  it("logs Grafana in through Keycloak's realm sovra with a client secret from OpenBao, and no login form", () => {
    const g = values(monitoring).grafana;
    expect(g['grafana.ini']['auth.generic_oauth']).toMatchObject({ enabled: true, client_id: 'sovra-grafana', use_pkce: true, token_url: 'https://keycloak.sovra-identity.svc/realms/sovra/protocol/openid-connect/token' });
    expect(g['grafana.ini'].auth.disable_login_form).toBe(true);
    expect(g.envValueFrom.GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET.secretKeyRef).toEqual({ name: 'grafana-oidc', key: 'client-secret' });
    const es = objects.find((o) => o.kind === 'ExternalSecret' && o.metadata.name === 'grafana-oidc')!;
    expect(JSON.stringify(es.spec)).toContain('monitoring/grafana-oidc');
  });

  it('lets Prometheus reach every metrics endpoint and nothing else of the other components', () => {
    const np = monitoring.prometheus.networkPolicy.toJson() as { spec: { egress: Array<{ ports: Array<{ port: number }> }> } };
    const cpPort = platform.metricsEndpoints().find((m) => m.pods.owner.id === 'control-plane')!;
    expect(np.spec.egress.some((r) => r.ports.some((p) => p.port === cpPort.pods.port(cpPort.port).port))).toBe(true);
    const cp = (cpPort.pods.networkPolicy.toJson() as { spec: { ingress: Array<{ from: Array<{ podSelector: { matchLabels: Record<string, string> } }> }> } }).spec.ingress;
    expect(cp.some((r) => r.from[0]!.podSelector.matchLabels.prometheus === 'monitoring-prometheus')).toBe(true);
  });

  it('claims IR-4 only where Alertmanager routes to a receiver, and AU-5 on the audit alerts', () => {
    const controls = monitoring.claims.map((c) => c.control);
    expect(controls).toEqual(expect.arrayContaining(['ca-7', 'si-4', 'au-5', 'au-6']));
    expect(controls.includes('ir-4')).toBe(profile === 'cluster');
    const au5 = monitoring.claims.find((c) => c.control === 'au-5')!;
    expect(au5.evidence.map((e) => e.equals)).toContain('SovraAuditTrailStopped');
  });
});

describe('alert rules declared by a component are checked at synth', () => {
  it("collects a GPU exporter's own DCGM alert into its PrometheusRule", () => {
    const { objects } = render('edge', [gpuExporter()]);
    const rule = objects.find((o) => o.kind === 'PrometheusRule' && o.metadata.name === 'gpu-test-alerts')!;
    expect(JSON.stringify(rule.spec)).toContain('GpuXidErrors');
    expect(objects.some((o) => o.kind === 'PodMonitor' && o.metadata.name === 'gpu-test-dcgm-exporter-metrics')).toBe(true);
  });

  it('stops on a rule that names a metric no exporter declares', () => {
    try {
      render('edge', [gpuExporter({ expr: 'DCGM_FI_DEV_ECC_DBE_VOL_TOTAL > 0' })]);
      expect.unreachable();
    } catch (e) {
      expect(isSovraError(e)).toBe(true);
      expect((e as Error).message).toContain('"DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", which no declared exporter provides');
      expect((e as Error).message).toContain('component "gpu-test", alert GpuXidErrors');
    }
  });

  it('stops on a rule that does not parse', () => {
    expect(() => render('edge', [gpuExporter({ expr: 'max by (gpu (DCGM_FI_DEV_XID_ERRORS) > 0' })])).toThrow(/GpuXidErrors: PromQL expression does not parse/);
  });
});

describe('the synthesized edge output', () => {
  let root: string;
  let objects: K8sObject[];
  let sbom: { components: Array<{ 'bom-ref': string; properties?: Array<{ name: string; value: string }> }> };
  beforeAll(async () => {
    root = tempDir();
    await synthProfile('edge', join(root, 'edge'));
    objects = writtenObjects(join(root, 'edge')).map((o) => o.object);
    sbom = JSON.parse(readFileSync(join(root, 'edge', 'sbom.cdx.json'), 'utf8'));
  });
  afterAll(() => removeDir(root));

  it('writes schema-valid PodMonitors and PrometheusRules (the synth validates every object against its CRD schema)', () => {
    expect(objects.filter((o) => o.kind === 'PodMonitor').length).toBeGreaterThan(10);
    expect(objects.filter((o) => o.kind === 'PrometheusRule').length).toBeGreaterThanOrEqual(5);
  });

  it("records Grafana's AGPL waiver, with its reason, on the Grafana image in the SBOM", () => {
    const grafana = sbom.components.find((c) => c['bom-ref'].startsWith('image:docker.io/grafana/grafana:'))!;
    const reason = grafana.properties?.find((p) => p.name === 'sovra:license:waiver:AGPL-3.0-only:reason');
    expect(reason?.value).toContain('unmodified');
  });
});
