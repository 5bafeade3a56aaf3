/**
 * The Tempo chart (2.2.4) and the OpenTelemetry collector chart (0.170.0,
 * as the trace collector), from their tags in the reference data, rendered
 * by the real helm with the values Sovra writes for each profile: the charts
 * accept them, every value path is one they have (the maps they copy whole
 * are named), Tempo's configuration carries the retention and storage the
 * claims cite and receives OTLP only on the port other pods may reach, the
 * pods match the pod groups the component declares, every image is
 * declared, and Sovra's policy rules hold over the render with no exception.
 */
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NAMESPACES, TRACES_OTLP } from '../../../constructs/kit/shared-names.js';
import { TEMPO_IMAGE } from '../../../constructs/observability/traces/catalog.js';
import { COLLECTOR_POD_LABELS, COLLECTOR_RELEASE } from '../../../constructs/observability/traces/collector-values.js';
import { TEMPO_POD_LABELS, TEMPO_RELEASE } from '../../../constructs/observability/traces/tempo-values.js';
import { BUILTIN_PROFILES } from '../../../profiles/builtin/index.js';
import { PROFILES, removeDir, synthAll, type ProfileName } from '../../support/synth-output.js';
import { chartDir, declaredImages, objectNamed, renderChart, renderedImages, undeclaredImages, unknownValuePaths, writtenValues, type Render } from '../support/helm.js';
import { clusterRefusals, liftedFindings, policyCheck, policyProblems } from '../support/policy.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const CHARTS: Record<string, () => string> = { [TEMPO_RELEASE]: () => chartDir('grafana', 'tempo-2.2.4'), [COLLECTOR_RELEASE]: () => chartDir('otel', 'opentelemetry-collector-0.170.0') };
/** Maps the charts copy whole (Tempo's configuration blocks, Kubernetes objects). */
const FREE_FORM: Record<string, string[]> = {
  [TEMPO_RELEASE]: ['tempo.resources', 'tempo.storage', 'tempo.receivers', 'tempo.securityContext', 'tempo.extraArgs', 'tempo.extraEnv', 'tempo.extraVolumeMounts', 'securityContext', 'extraVolumes', 'persistence.storageClassName'],
  [COLLECTOR_RELEASE]: ['alternateConfig', 'podSecurityContext', 'securityContext', 'resources', 'ports', 'podDisruptionBudget.maxUnavailable'],
};

let root: string | undefined;
let dirs: Record<ProfileName, string>;
const renders = new Map<string, Render>();
beforeAll(async () => {
  ({ root, dirs } = await synthAll());
  for (const p of PROFILES) for (const [release, chart] of Object.entries(CHARTS)) renders.set(`${p}/${release}`, renderChart({ chart: chart(), release, namespace: NAMESPACES.traces, values: writtenValues(dirs[p], release) }));
}, 600_000);
afterAll(() => removeDir(root));

describe.each(PROFILES)('profile %s', (p) => {
  const s = BUILTIN_PROFILES[p].components.traces;
  const render = (release: string) => renders.get(`${p}/${release}`)!;

  it.each(Object.keys(CHARTS))('the chart of release %s accepts the values Sovra writes, and knows every value path', (release) => {
    expect(render(release).error).toBe('');
    expect(render(release).ok).toBe(true);
    expect(unknownValuePaths(CHARTS[release]!(), writtenValues(dirs[p], release), FREE_FORM[release])).toEqual([]);
  });

  it("Tempo's configuration carries the retention and storage the claims cite, and OTLP over HTTP as the one receiver reachable from other pods", () => {
    const config = YAML.parse((objectNamed(render(TEMPO_RELEASE).objects, 'ConfigMap', TEMPO_RELEASE) as Obj).data['tempo.yaml'] as string) as Obj;
    expect(config.compactor.compaction.block_retention).toBe(s.retention);
    expect(config.usage_report).toEqual({ reporting_enabled: false });
    expect(config.distributor.receivers).toEqual({ jaeger: { protocols: { grpc: { endpoint: '127.0.0.1:14250' } } }, otlp: { protocols: { http: { endpoint: '0.0.0.0:4318' } } } });
    if (p === 'cluster') {
      expect(config.storage.trace).toEqual({ backend: 's3', s3: { bucket: 'sovra-traces', endpoint: 'minio.sovra-storage.svc:443', access_key: '${S3_ACCESS_KEY_ID}', secret_key: '${S3_SECRET_ACCESS_KEY}', insecure: false, forcepathstyle: true }, wal: { path: '/var/tempo/wal' } });
    } else {
      expect(config.storage.trace).toEqual({ backend: 'local', local: { path: '/var/tempo/traces' }, wal: { path: '/var/tempo/wal' } });
    }
  });

  it('renders Tempo and the trace collector matching their pod groups, hardened, without tokens, with the declared images', () => {
    const tempo = objectNamed(render(TEMPO_RELEASE).objects, 'StatefulSet', TEMPO_RELEASE) as Obj;
    expect(tempo.spec.template.metadata.labels).toMatchObject(TEMPO_POD_LABELS);
    expect(tempo.spec.template.spec.automountServiceAccountToken).toBe(false);
    const t = tempo.spec.template.spec.containers[0];
    expect(t.image).toBe(`docker.io/${TEMPO_IMAGE.repository}:${TEMPO_IMAGE.tag}`);
    expect(t.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    if (p === 'cluster') expect(t.args).toContain('-config.expand-env=true');
    const dep = objectNamed(render(COLLECTOR_RELEASE).objects, 'Deployment', COLLECTOR_RELEASE) as Obj;
    expect(dep.spec.replicas).toBe(BUILTIN_PROFILES[p].replicas.stateless);
    expect(dep.spec.template.metadata.labels).toMatchObject(COLLECTOR_POD_LABELS);
    expect(dep.spec.template.spec.automountServiceAccountToken).toBe(false);
    expect(dep.spec.template.spec.containers[0].ports.map((x: Obj) => x.containerPort)).toEqual([8888, 4317, 4318]);
    const svc = objectNamed(render(COLLECTOR_RELEASE).objects, 'Service', TRACES_OTLP.service) as Obj;
    expect(svc.spec.ports.map((x: Obj) => x.port).sort()).toEqual([4317, 4318, 8888]);
    expect(render(COLLECTOR_RELEASE).objects.filter((o) => /Role/.test(o.kind))).toEqual([]);
    const declared = declaredImages(dirs[p]);
    const images = Object.keys(CHARTS).flatMap((r) => renderedImages(render(r).objects));
    expect(images).toHaveLength(2);
    expect(undeclaredImages(images, declared)).toEqual([]);
  });

  it.each(Object.keys(CHARTS))("Sovra's policy rules hold over release %s without any exception", (release) => {
    const o = { outDir: dirs[p], release, namespace: NAMESPACES.traces, objects: render(release).objects };
    const r = policyCheck(o);
    expect(policyProblems(r)).toEqual([]);
    expect(liftedFindings(r)).toEqual([]);
    expect(clusterRefusals(o)).toEqual([]);
  });
});
