/**
 * The traces component over the whole stack: Tempo per profile (its volume
 * on dev and edge, the object store on cluster), its retention, the trace
 * collector forwarding OTLP to Tempo, the peer a workload declares to send
 * traces (TRACES_OTLP) and the allow rules that follow from it alone, Tempo
 * as Grafana's datasource linked to Loki, the alerts, the claims and the
 * AGPL waiver.
 */
import type { Construct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_PROFILES } from '../../../profiles/builtin/index.js';
import { loadProfile } from '../../../profiles/load.js';
import { buildPlatform, renderObjects } from '../../../synth/synth.js';
import { readJson, removeDir, synthProfile, tempDir } from '../../../test/support/synth-output.js';
import { Component, type ComponentProps } from '../../kit/component.js';
import type { ComponentDefinition } from '../../kit/definition.js';
import { NAMESPACES, OBJECT_STORE, TRACES_OTLP } from '../../kit/shared-names.js';
import { OBJECT_STORE_USERS } from '../../data/object-store/endpoint.js';
import { COMPONENTS } from '../../registry.js';
import { TEMPO_CHART } from './catalog.js';
import { COLLECTOR_RELEASE } from './collector-values.js';
import { tempoLicenseWaivers } from './license.js';
import { TEMPO_RELEASE } from './tempo-values.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Name = 'dev' | 'edge' | 'cluster';

/** A workload (test stand-in) that sends its traces to the platform's trace collector over OTLP/gRPC. */
const emitter: ComponentDefinition = {
  id: 'emitter',
  layer: 'ai-runtime',
  create: (scope, id, props) =>
    new (class extends Component {
      constructor(s: Construct, i: string, p: ComponentProps) {
        super(s, i, p, { title: 'Trace emitter (test)', description: 'Sends OTLP traces.', layer: 'ai-runtime', namespace: 'sovra-emitter', version: '1' });
        this.addPods({ name: 'app', labels: { app: 'emitter' }, serviceAccount: 'emitter' }).connectsTo({ component: TRACES_OTLP.component, pods: TRACES_OTLP.pods, port: 'otlp-grpc' }, 'the app exports its spans');
      }
    })(scope, id, props),
};

function render(profile: Name, extra: readonly ComponentDefinition[] = []) {
  const { platform } = buildPlatform(loadProfile(profile), { components: [...COMPONENTS, ...extra] });
  const objects = [...renderObjects(platform).values()].flat() as Obj[];
  return { platform, traces: platform.component('traces')!, objects };
}
const chartValues = (c: Component, release: string) => c.charts.find((x) => x.release === release)!.values as Obj;

describe.each(['dev', 'edge', 'cluster'] as const)('traces on %s', (name) => {
  const s = BUILTIN_PROFILES[name].components.traces;
  const { platform, traces, objects } = render(name);
  const tempo = () => chartValues(traces, TEMPO_RELEASE);

  it(`runs Tempo from its pinned chart, keeping traces ${s.retention} ${name === 'cluster' ? 'in the object store' : 'on its volume'}`, () => {
    expect(traces.charts.map((c) => [c.release, c.chart, c.version, c.digest])).toEqual([
      [TEMPO_RELEASE, 'tempo', TEMPO_CHART.version, TEMPO_CHART.digest],
      [COLLECTOR_RELEASE, 'opentelemetry-collector', '0.170.0', 'sha256:ed140b332233075c7fd15eaebba571fdf100926f08c0a5a274c7b32895315137'],
    ]);
    const v = tempo();
    expect(v.tempo.retention).toBe(s.retention);
    expect(v.persistence).toEqual({ enabled: true, size: s.volumeSize });
    expect(v.tempo.reportingEnabled).toBe(false);
    expect(v.serviceAccount.automountServiceAccountToken).toBe(false);
    if (name === 'cluster') {
      expect(v.tempo.storage.trace).toMatchObject({ backend: 's3', local: null, s3: { bucket: OBJECT_STORE.buckets.traces, endpoint: 'minio.sovra-storage.svc:443', insecure: false, forcepathstyle: true } });
      expect(v.tempo.extraArgs).toEqual({ 'config.expand-env': 'true' });
      const es = objects.find((o) => o.kind === 'ExternalSecret' && o.metadata.name === 'tempo-object-store')!;
      expect(es.spec.data.map((d: Obj) => d.remoteRef.key)).toEqual([OBJECT_STORE_USERS.traces.openbaoPath, OBJECT_STORE_USERS.traces.openbaoPath]);
    } else {
      expect(v.tempo.storage.trace).toEqual({ backend: 'local', local: { path: '/var/tempo/traces' }, wal: { path: '/var/tempo/wal' } });
    }
    // Other pods reach OTLP over HTTP only; the Jaeger receiver the chart's Service needs listens on loopback.
    expect(v.tempo.receivers.jaeger.protocols.grpc.endpoint).toMatch(/^127\.0\.0\.1:/);
    expect(v.tempo.receivers.otlp.protocols).toEqual({ grpc: null, http: { endpoint: '0.0.0.0:4318' } });
  });

  it('runs the trace collector with OTLP receivers, exporting to Tempo, without a token or a host port', () => {
    const v = chartValues(traces, COLLECTOR_RELEASE);
    expect(v.mode).toBe('deployment');
    expect(v.replicaCount).toBe(BUILTIN_PROFILES[name].replicas.stateless);
    expect(v.alternateConfig.service.pipelines).toEqual({ traces: { receivers: ['otlp'], processors: ['memory_limiter', 'batch'], exporters: ['otlphttp/tempo'] } });
    expect(v.alternateConfig.exporters['otlphttp/tempo'].endpoint).toBe('http://tempo.sovra-traces.svc:4318');
    expect(Object.entries(v.ports as Obj).filter(([, p]) => p.enabled).map(([n, p]) => [n, p.containerPort])).toEqual([
      ['otlp', 4317],
      ['otlp-http', 4318],
      ['metrics', 8888],
    ]);
    expect(v.serviceAccount.automountServiceAccountToken).toBe(false);
    expect(v.podDisruptionBudget.enabled).toBe(name === 'cluster');
  });

  it('lets only the collector push to Tempo, and Grafana and Prometheus query it', () => {
    const np = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'traces-tempo')!;
    const from = np.spec.ingress.map((r: Obj) => [r.from[0].namespaceSelector?.matchLabels['kubernetes.io/metadata.name'] ?? NAMESPACES.traces, r.from[0].podSelector.matchLabels['app.kubernetes.io/name'], r.ports.map((p: Obj) => p.port)]);
    expect(from.sort()).toEqual(
      [
        [NAMESPACES.traces, 'opentelemetry-collector', [4318]],
        ['sovra-monitoring', 'grafana', [3200]],
        ['sovra-monitoring', 'prometheus', [3200]],
      ].sort(),
    );
  });

  it("is Grafana's Tempo datasource, linked to the Loki datasource", () => {
    const ds = (chartValues(platform.component('monitoring')!, 'monitoring').grafana.additionalDataSources as Obj[]).find((d) => d.uid === 'tempo')!;
    expect(ds).toMatchObject({ type: 'tempo', url: 'http://tempo.sovra-traces.svc:3200', editable: false, jsonData: { tracesToLogsV2: { datasourceUid: 'loki' } } });
  });

  it('writes its alerts with declared metrics', () => {
    const rule = objects.find((o) => o.kind === 'PrometheusRule' && o.metadata.name === 'traces-alerts')!;
    expect((rule.spec.groups[0].rules as Obj[]).map((r) => r.alert)).toEqual(['TraceCollectorExportFailing', 'TempoCompactionsFailing', 'TempoFlushesFailing']);
  });
});

describe('a workload that sends traces', () => {
  it('declares the trace collector as its peer, and the allow rules on both sides follow from that declaration alone', () => {
    const { objects } = render('edge', [emitter]);
    const collector = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'traces-collector')!;
    expect(collector.spec.ingress).toContainEqual({ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'sovra-emitter' } }, podSelector: { matchLabels: { app: 'emitter' } } }], ports: [{ port: TRACES_OTLP.grpcPort, protocol: 'TCP' }] });
    const app = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'emitter-app')!;
    expect(app.spec.egress).toContainEqual({ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': NAMESPACES.traces } }, podSelector: { matchLabels: collector.spec.podSelector.matchLabels } }], ports: [{ port: TRACES_OTLP.grpcPort, protocol: 'TCP' }] });
    // Without the declaration no workload but the collector's scrapers reaches it.
    const { objects: without } = render('edge');
    const plain = without.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'traces-collector')!;
    expect(plain.spec.ingress.map((r: Obj) => r.from[0].podSelector.matchLabels['app.kubernetes.io/name'])).toEqual(['prometheus']);
  });
});

describe('traces in the synthesized output', () => {
  let dir: string;
  beforeAll(async () => {
    dir = tempDir();
    await synthProfile('cluster', dir);
  });
  afterAll(() => removeDir(dir));

  it('claims SI-4 (partial), SC-7 and AC-6 with evidence the synth checked, and the Tempo image carries its waiver', () => {
    const def = readJson<Obj>(dir, 'oscal/component-definitions/traces.json');
    const reqs = def['component-definition'].components[0]['control-implementations'][0]['implemented-requirements'] as Obj[];
    expect(reqs.map((r) => r['control-id']).sort()).toEqual(['ac-6', 'sc-7', 'si-4']);
    const sbom = readJson<{ components: Obj[] }>(dir, 'sbom.cdx.json');
    const image = sbom.components.find((c) => c['bom-ref'] === tempoLicenseWaivers()[0]!.component)!;
    expect(image.properties).toContainEqual({ name: 'sovra:license:waiver:AGPL-3.0-only:reason', value: tempoLicenseWaivers()[0]!.reason });
    // One SBOM component for the collector chart, installed twice (logs and traces).
    expect(sbom.components.filter((c) => c.name === 'opentelemetry-collector')).toHaveLength(1);
  });
});
