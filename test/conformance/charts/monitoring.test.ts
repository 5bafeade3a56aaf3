/**
 * kube-prometheus-stack 88.5.3 (the tagged source in the reference data)
 * rendered by the real helm with the values Sovra writes for each profile:
 * the chart accepts them, every value path of the parent chart is known,
 * the settings the claims cite reach the Prometheus and Alertmanager
 * objects, the operator's pod meets the hardened baseline, and every image
 * the render runs or hands to the operator is declared.
 *
 * Limit, said plainly: the reference data holds the parent chart without
 * its vendored dependencies (charts/ has only `crds`; grafana 12.11.1,
 * kube-state-metrics 8.4.0 and prometheus-node-exporter 4.56.1 are absent,
 * see ../shared/charts/prometheus/results.txt), and helm refuses a chart
 * whose dependencies are missing. The test renders a copy whose Chart.yaml
 * lists only `crds`; the subcharts' values (under `grafana`,
 * `kube-state-metrics`, `prometheus-node-exporter`) are not checked by helm
 * here and are named as such below.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MONITORING_IMAGES } from '../../../constructs/observability/monitoring/catalog.js';
import { BUILTIN_PROFILES } from '../../../profiles/builtin/index.js';
import { PROFILES, removeDir, synthProfile, tempDir, type ProfileName } from '../../support/synth-output.js';
import { chartDir, declaredImages, objectNamed, renderChart, renderedImages, undeclaredImages, unknownValuePaths, writtenValues, type Render } from '../support/helm.js';

const RELEASE = 'monitoring';
const NAMESPACE = 'sovra-monitoring';
/** Subcharts absent from the reference data (their values are theirs to check), and maps the parent chart copies whole. */
const FREE_FORM = [
  'grafana',
  'kube-state-metrics',
  'prometheus-node-exporter',
  'alertmanager.config',
  'prometheus.prometheusSpec.resources',
  'prometheus.prometheusSpec.storageSpec',
  'prometheus.prometheusSpec.securityContext',
  'prometheus.prometheusSpec.externalLabels',
  'alertmanager.alertmanagerSpec.resources',
  'alertmanager.alertmanagerSpec.securityContext',
  'prometheusOperator.resources',
  'prometheusOperator.prometheusConfigReloader.resources',
  'prometheusOperator.containerSecurityContext',
];
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let root: string;
let chart: string;
const dirs = {} as Record<ProfileName, string>;
const renders = new Map<ProfileName, Render>();

beforeAll(async () => {
  root = tempDir();
  chart = join(mkdtempSync(join(tmpdir(), 'sovra-kps-')), 'kube-prometheus-stack');
  cpSync(chartDir('prometheus', 'kube-prometheus-stack-88.5.3'), chart, { recursive: true });
  const meta = YAML.parse(readFileSync(join(chart, 'Chart.yaml'), 'utf8')) as Obj;
  meta.dependencies = (meta.dependencies as Obj[]).filter((d) => d.name === 'crds');
  writeFileSync(join(chart, 'Chart.yaml'), YAML.stringify(meta));
  for (const p of PROFILES) {
    dirs[p] = `${root}/${p}`;
    await synthProfile(p, dirs[p]);
    renders.set(p, renderChart({ chart, release: RELEASE, namespace: NAMESPACE, values: writtenValues(dirs[p], RELEASE) }));
  }
}, 600_000);
afterAll(() => {
  removeDir(root);
  rmSync(join(chart, '..'), { recursive: true, force: true });
});

describe.each(PROFILES)('profile %s: kube-prometheus-stack over the values Sovra writes', (profile) => {
  const ha = profile === 'cluster';
  const settings = BUILTIN_PROFILES[profile].components.monitoring;
  const objects = () => renders.get(profile)!.objects;

  it('is accepted, and every value path of the parent chart is one it has', () => {
    const r = renders.get(profile)!;
    expect(r.error).toBe('');
    expect(r.ok).toBe(true);
    expect(unknownValuePaths(chart, writtenValues(dirs[profile], RELEASE), FREE_FORM)).toEqual([]);
  });

  it('renders Prometheus with the replicas, intervals and retention the claims cite, selecting every monitor and rule', () => {
    const p = objectNamed(objects(), 'Prometheus', `${RELEASE}-prometheus`) as Obj;
    expect(p.spec.replicas).toBe(ha ? 2 : 1);
    expect(p.spec.retention).toBe(settings.retention);
    expect(p.spec.scrapeInterval).toBe('30s');
    expect(p.spec.evaluationInterval).toBe('30s');
    for (const sel of ['podMonitorSelector', 'serviceMonitorSelector', 'ruleSelector']) expect(p.spec[sel], sel).toEqual({});
    expect(p.spec.image).toBe(`quay.io/prometheus/prometheus:${MONITORING_IMAGES.prometheus.tag}`);
    expect(p.spec.serviceAccountName).toBe(`${RELEASE}-prometheus`);
    expect(p.spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    if (ha) expect(p.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toBeDefined();
  });

  it(`renders Alertmanager with ${ha ? 'three replicas and a route to the operators' : 'one replica'}`, () => {
    const a = objectNamed(objects(), 'Alertmanager', `${RELEASE}-alertmanager`) as Obj;
    expect(a.spec.replicas).toBe(ha ? 3 : 1);
    const secret = objectNamed(objects(), 'Secret', `alertmanager-${RELEASE}-alertmanager`) as Obj;
    const config = YAML.parse(Buffer.from(secret.data['alertmanager.yaml'], 'base64').toString('utf8')) as Obj;
    if (ha) {
      expect(config.route.routes[0].receiver).toBe('operators');
      expect(config.receivers[1].webhook_configs[0].url).toBe(settings.alerting!.webhookUrl);
    } else expect(config.route.receiver).toBe('null');
  });

  it("keeps the chart's own rules, dashboards and admission webhook off, and monitors the API server and kubelets", () => {
    expect(objects().filter((o) => o.kind === 'PrometheusRule')).toEqual([]);
    expect(objects().filter((o) => /Webhook|Job/.test(o.kind))).toEqual([]);
    const monitors = objects().filter((o) => o.kind === 'ServiceMonitor').map((o) => o.metadata.name).sort();
    expect(monitors).toEqual([`${RELEASE}-apiserver`, `${RELEASE}-kubelet`]);
    // The datasources Grafana's sidecar loads (a parent-chart template): Prometheus, Alertmanager, and those the components declare (Loki, Tempo).
    const ds = objects().find((o) => o.kind === 'ConfigMap' && (o.metadata.labels ?? {}).grafana_datasource === '1') as Obj;
    const provisioned = YAML.parse(ds.data['datasource.yaml']).datasources as Obj[];
    expect(provisioned.map((d) => [d.uid, d.type, d.url])).toEqual(
      expect.arrayContaining([
        ['loki', 'loki', 'http://loki.sovra-logs.svc:3100'],
        ['tempo', 'tempo', 'http://tempo.sovra-traces.svc:3200'],
      ]),
    );
  });

  it('meets the hardened baseline in the operator pod (the API token stays: it is a controller)', () => {
    const d = objectNamed(objects(), 'Deployment', `${RELEASE}-operator`) as Obj;
    const spec = d.spec.template.spec;
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    for (const c of spec.containers as Obj[]) {
      expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      expect(c.resources.limits).toBeDefined();
      expect(c.ports).toEqual([{ containerPort: 8080, name: 'http' }]);
    }
    expect(d.spec.template.metadata.labels).toMatchObject({ app: 'kube-prometheus-stack-operator', release: RELEASE });
    expect(spec.hostNetwork).toBeUndefined();
  });

  it('runs, and hands the operator, only images the SBOM declares', () => {
    const declared = declaredImages(dirs[profile]);
    const images = renderedImages(objects());
    expect(images).toEqual([`quay.io/prometheus-operator/prometheus-operator:${MONITORING_IMAGES.operator.tag}`]);
    const args = (objectNamed(objects(), 'Deployment', `${RELEASE}-operator`) as Obj).spec.template.spec.containers[0].args as string[];
    const reloader = args.find((a) => a.startsWith('--prometheus-config-reloader='))!.split('=')[1]!;
    const crImages = ['Prometheus', 'Alertmanager'].map((k) => (objects().find((o) => o.kind === k) as Obj).spec.image as string);
    expect(undeclaredImages([...images, reloader, ...crImages], declared)).toEqual([]);
  });
});
