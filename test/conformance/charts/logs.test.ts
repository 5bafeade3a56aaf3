/**
 * The Loki chart (18.11.0) and the OpenTelemetry collector chart (0.170.0,
 * as the node log agents), from their tags in the reference data, rendered
 * by the real helm with the values Sovra writes for each profile: the
 * charts accept them (both validate values against their values.schema.json),
 * every value path is one they have (the maps they copy whole are named),
 * the settings the claims cite reach Loki's configuration and the agents'
 * collector configuration, the pods match the pod groups the component
 * declares, every image they run is declared, and Sovra's policy rules
 * hold over the render with the component's exceptions, each lifting
 * something.
 *
 * Limit, said plainly: the reference data holds the Loki chart without its
 * two dependencies' folders (rollout-operator, minio; both off in Sovra's
 * values, see ../shared/charts/grafana/results.txt), and helm refuses a
 * chart whose dependencies are missing, so the test renders a copy whose
 * Chart.yaml lists none.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_POD_LABELS, AGENT_RELEASE } from '../../../constructs/observability/logs/agent-values.js';
import { LOKI_IMAGE } from '../../../constructs/observability/logs/catalog.js';
import { OTEL_COLLECTOR_IMAGE } from '../../../constructs/observability/logs/collector-chart.js';
import { LOKI_POD_LABELS, LOKI_PORTS, LOKI_RELEASE } from '../../../constructs/observability/logs/loki-values.js';
import { NAMESPACES } from '../../../constructs/kit/shared-names.js';
import { BUILTIN_PROFILES } from '../../../profiles/builtin/index.js';
import { PROFILES, removeDir, synthAll, type ProfileName } from '../../support/synth-output.js';
import { chartDir, declaredImages, objectNamed, renderChart, renderedImages, undeclaredImages, unknownValuePaths, writtenValues, type Render } from '../support/helm.js';
import { clusterRefusals, liftedFindings, policyCheck, policyProblems } from '../support/policy.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const COLLECTOR = () => chartDir('otel', 'opentelemetry-collector-0.170.0');
/** Maps the charts copy whole (Loki's configuration blocks, Kubernetes objects) or document without listing their keys. */
const FREE_FORM: Record<string, string[]> = {
  [LOKI_RELEASE]: ['loki.storage.bucketNames', 'loki.schemaConfig', 'loki.rulerConfig', 'loki.limits_config', 'loki.compactor', 'loki.analytics', 'singleBinary.resources', 'singleBinary.extraEnv', 'singleBinary.extraVolumes', 'singleBinary.extraVolumeMounts'],
  [AGENT_RELEASE]: ['alternateConfig', 'podSecurityContext', 'securityContext', 'resources', 'tolerations', 'extraVolumes', 'extraVolumeMounts', 'ports'],
};

let root: string | undefined;
let dirs: Record<ProfileName, string>;
let loki: string;
const renders = new Map<string, Render>();

beforeAll(async () => {
  ({ root, dirs } = await synthAll());
  loki = join(mkdtempSync(join(tmpdir(), 'sovra-loki-')), 'loki');
  cpSync(chartDir('grafana', 'loki-18.11.0'), loki, { recursive: true });
  const meta = YAML.parse(readFileSync(join(loki, 'Chart.yaml'), 'utf8')) as Obj;
  delete meta.dependencies;
  writeFileSync(join(loki, 'Chart.yaml'), YAML.stringify(meta));
  for (const p of PROFILES) {
    renders.set(`${p}/${LOKI_RELEASE}`, renderChart({ chart: loki, release: LOKI_RELEASE, namespace: NAMESPACES.logs, values: writtenValues(dirs[p], LOKI_RELEASE) }));
    renders.set(`${p}/${AGENT_RELEASE}`, renderChart({ chart: COLLECTOR(), release: AGENT_RELEASE, namespace: NAMESPACES.logAgents, values: writtenValues(dirs[p], AGENT_RELEASE) }));
  }
}, 600_000);
afterAll(() => {
  removeDir(root);
  if (loki) rmSync(join(loki, '..'), { recursive: true, force: true });
});

describe.each(PROFILES)('profile %s', (p) => {
  const s = BUILTIN_PROFILES[p].components.logs;
  const render = (release: string) => renders.get(`${p}/${release}`)!;
  const chartOf = (release: string) => (release === LOKI_RELEASE ? loki : COLLECTOR());

  it.each([LOKI_RELEASE, AGENT_RELEASE])('the chart of release %s accepts the values Sovra writes, and knows every value path', (release) => {
    expect(render(release).error).toBe('');
    expect(render(release).ok).toBe(true);
    expect(unknownValuePaths(chartOf(release), writtenValues(dirs[p], release), FREE_FORM[release])).toEqual([]);
  });

  it("Loki's configuration carries the retention, the audit retention, the indexed audit label and the storage the claims cite", () => {
    const cm = objectNamed(render(LOKI_RELEASE).objects, 'ConfigMap', LOKI_RELEASE) as Obj;
    const config = YAML.parse(cm.data['config.yaml']) as Obj;
    expect(config.auth_enabled).toBe(false);
    expect(config.limits_config.retention_period).toBe(s.retention);
    expect(config.limits_config.retention_stream).toEqual([{ selector: '{sovra_log_kind="audit"}', priority: 1, period: s.auditRetention }]);
    expect(config.limits_config.otlp_config.resource_attributes.attributes_config).toEqual([{ action: 'index_label', attributes: ['sovra.log.kind'] }]);
    expect(config.compactor).toMatchObject({ retention_enabled: true, delete_request_store: p === 'cluster' ? 's3' : 'filesystem' });
    expect(config.analytics).toEqual({ reporting_enabled: false });
    if (p === 'cluster') {
      expect(config.common.storage.s3).toEqual({ bucketnames: 'sovra-logs', endpoint: 'minio.sovra-storage.svc:443', access_key_id: '${S3_ACCESS_KEY_ID}', secret_access_key: '${S3_SECRET_ACCESS_KEY}', s3forcepathstyle: true, insecure: false });
      expect(config.common.replication_factor).toBe(3);
    } else {
      expect(config.common.storage).toEqual({ filesystem: { chunks_directory: '/var/loki/chunks', rules_directory: '/var/loki/rules' } });
    }
  });

  it('renders one Loki StatefulSet matching the pod group, hardened, without a token, and nothing else that runs', () => {
    const objects = render(LOKI_RELEASE).objects;
    expect(objects.filter((o) => ['Deployment', 'DaemonSet', 'StatefulSet', 'Job', 'Pod'].includes(o.kind)).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([`StatefulSet/${LOKI_RELEASE}`]);
    expect(objects.filter((o) => /Role/.test(o.kind))).toEqual([]);
    const sts = objectNamed(objects, 'StatefulSet', LOKI_RELEASE) as Obj;
    expect(sts.spec.replicas).toBe(p === 'cluster' ? 3 : 1);
    const pod = sts.spec.template;
    expect(pod.metadata.labels).toMatchObject(LOKI_POD_LABELS);
    expect(pod.spec.serviceAccountName).toBe(LOKI_RELEASE);
    expect(pod.spec.automountServiceAccountToken).toBe(false);
    const c = pod.spec.containers[0];
    expect(c.ports.map((x: Obj) => x.containerPort).sort()).toEqual(Object.values(LOKI_PORTS).sort());
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(c.resources).toEqual({ requests: { cpu: s.cpu, memory: s.memory }, limits: { cpu: s.cpu, memory: s.memory } });
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe(s.volumeSize);
    expect(c.image).toBe(`docker.io/${LOKI_IMAGE.repository}:${LOKI_IMAGE.tag}`);
    if (p === 'cluster') expect(objectNamed(objects, 'PodDisruptionBudget', 'loki-single-binary').spec).toMatchObject({ maxUnavailable: 1 });
  });

  it("renders the agents' collector configuration: every container log, the API server's audit log, OpenBao's audit lines, k8s attributes, to Loki's OTLP endpoint", () => {
    const objects = render(AGENT_RELEASE).objects;
    const relay = YAML.parse((objectNamed(objects, 'ConfigMap', `${AGENT_RELEASE}-agent`) as Obj).data.relay as string) as Obj;
    expect(Object.keys(relay.receivers).sort()).toEqual(['file_log/audit-kube-apiserver', 'file_log/pods']);
    expect(relay.receivers['file_log/audit-kube-apiserver'].include).toEqual([p === 'cluster' ? '/var/lib/rancher/rke2/server/logs/audit.log' : '/var/lib/rancher/k3s/server/logs/audit.log']);
    expect(relay.receivers['file_log/pods'].operators.map((o: Obj) => o.type)).toEqual(['container', 'json_parser', 'add', 'add']);
    // The chart's preset adds the processor under the collector's current name, with its node filter.
    expect(relay.service.pipelines.logs.processors).toEqual(['k8s_attributes', 'memory_limiter', 'batch']);
    expect(relay.processors.k8s_attributes.filter).toEqual({ node_from_env_var: 'K8S_NODE_NAME' });
    expect(relay.exporters['otlphttp/loki'].endpoint).toBe('http://loki.sovra-logs.svc:3100/otlp');
    expect(relay.service.telemetry.metrics.readers[0].pull.exporter.prometheus.port).toBe(8888);
    // None of the chart's default receivers (Jaeger, Zipkin, Prometheus) survives.
    expect(relay.receivers.jaeger).toBeUndefined();
  });

  it('renders the agents as a DaemonSet matching the pod group: every node, read-only host logs, no host port, the declared image', () => {
    const objects = render(AGENT_RELEASE).objects;
    const ds = objectNamed(objects, 'DaemonSet', `${AGENT_RELEASE}-agent`) as Obj;
    const pod = ds.spec.template.spec;
    expect(ds.spec.template.metadata.labels).toMatchObject(AGENT_POD_LABELS);
    expect(pod.serviceAccountName).toBe(AGENT_RELEASE);
    expect(pod.tolerations).toEqual([{ operator: 'Exists' }]);
    const c = pod.containers[0];
    expect(c.ports).toEqual([{ name: 'metrics', containerPort: 8888, protocol: 'TCP' }]);
    expect(c.image).toBe(`ghcr.io/${OTEL_COLLECTOR_IMAGE.repository}:${OTEL_COLLECTOR_IMAGE.tag}`);
    expect(c.command).toEqual(['/otelcol-k8s']);
    expect(c.env).toContainEqual({ name: 'K8S_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } });
    const hostPaths = (pod.volumes as Obj[]).filter((v) => v.hostPath).map((v) => v.hostPath.path);
    expect(hostPaths).toEqual(['/var/log/pods', p === 'cluster' ? '/var/lib/rancher/rke2/server/logs' : '/var/lib/rancher/k3s/server/logs', '/var/lib/sovra/log-collector']);
    const mounts = (c.volumeMounts as Obj[]).filter((m) => m.name !== 'opentelemetry-collector-configmap');
    expect(mounts.filter((m) => !m.readOnly).map((m) => m.mountPath)).toEqual(['/var/lib/otelcol/sovra']);
    const role = objectNamed(objects, 'ClusterRole', AGENT_RELEASE) as Obj;
    expect((role.rules as Obj[]).flatMap((r) => r.verbs as string[]).every((v) => ['get', 'list', 'watch'].includes(v))).toBe(true);
  });

  it('runs only images the component declares', () => {
    const declared = declaredImages(dirs[p]);
    const images = [LOKI_RELEASE, AGENT_RELEASE].flatMap((r) => renderedImages(render(r).objects));
    expect(images).toHaveLength(2);
    expect(undeclaredImages(images, declared)).toEqual([]);
  });

  it("Sovra's policy rules hold over both renders; the agents' exceptions (host paths, root, API token) each lift something, Loki needs none", () => {
    const lokiCheck = policyCheck({ outDir: dirs[p], release: LOKI_RELEASE, namespace: NAMESPACES.logs, objects: render(LOKI_RELEASE).objects });
    expect(policyProblems(lokiCheck)).toEqual([]);
    expect(liftedFindings(lokiCheck)).toEqual([]);
    const agents = { outDir: dirs[p], release: AGENT_RELEASE, namespace: NAMESPACES.logAgents, objects: render(AGENT_RELEASE).objects };
    const r = policyCheck(agents);
    expect(policyProblems(r)).toEqual([]);
    expect(liftedFindings(r)).toEqual(['pod-security/run-as-non-root DaemonSet/log-collector-agent', 'pod-security/service-account-token DaemonSet/log-collector-agent', 'pod-security/volume-types DaemonSet/log-collector-agent']);
    expect(clusterRefusals(agents)).toEqual([]);
  });
});
