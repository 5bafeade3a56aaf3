/**
 * The logs component over the whole stack: Loki per profile (its volume on
 * dev and edge, the object store with three servers on cluster), retention
 * of logs and of audit records, the collectors reading every audit trail
 * the components declare (the API server's audit log where the
 * distribution writes it, OpenBao's audit lines parsed out of its container
 * log), the privileged namespace of the collectors and its exceptions, the
 * allow rules that follow from the peers, Loki as Grafana's datasource
 * through the kit, the alerts of AU-5, the claims with their evidence
 * checked by the synth, the AGPL waiver, and a profile that turns it off.
 */
import YAML from 'yaml';
import type { Construct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSovraError } from '../../../core/errors.js';
import { BUILTIN_PROFILES } from '../../../profiles/builtin/index.js';
import { loadProfile } from '../../../profiles/load.js';
import { validateProfile } from '../../../profiles/validate.js';
import { buildPlatform, renderObjects } from '../../../synth/synth.js';
import { readJson, removeDir, synthProfile, tempDir, terraformResources, writtenObjects, type K8sObject } from '../../../test/support/synth-output.js';
import { Component, type ComponentProps } from '../../kit/component.js';
import type { ComponentDefinition } from '../../kit/definition.js';
import { NAMESPACES, OBJECT_STORE } from '../../kit/shared-names.js';
import { COMPONENTS } from '../../registry.js';
import { OBJECT_STORE_USERS } from '../../data/object-store/endpoint.js';
import { TENANT_RELEASE } from '../../data/object-store/object-store.js';
import { AGENT_RELEASE, containerAuditCondition } from './agent-values.js';
import { LOKI_CHART, LOKI_IMAGE } from './catalog.js';
import { OTEL_COLLECTOR_CHART } from './collector-chart.js';
import { lokiLicenseWaivers } from './license.js';
import type { Logs } from './logs.js';
import { AUDIT_SELECTOR, LOKI_RELEASE } from './loki-values.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Name = 'dev' | 'edge' | 'cluster';

/** Renders a profile in memory (with extra components); returns the platform, the logs component and every object. */
function render(profile: Name | ReturnType<typeof loadProfile>, extra: readonly ComponentDefinition[] = []) {
  const { platform } = buildPlatform(typeof profile === 'string' ? loadProfile(profile) : profile, { components: [...COMPONENTS, ...extra] });
  const objects = [...renderObjects(platform).values()].flat() as Obj[];
  return { platform, logs: platform.component('logs') as Logs | undefined, objects };
}
const chartValues = (c: Component, release: string) => c.charts.find((x) => x.release === release)!.values as Obj;

/** An OpenBao audit record and a server log line, as OpenBao writes them to its container's stdout (audit/format_json_test.go). */
const AUDIT_LINE = '{"time":"2015-08-05T13:45:46Z","type":"request","auth":{"client_token":"hmac-sha256:1","accessor":"bar"},"request":{"operation":"update","path":"/foo"}}';
const SERVER_LINE = '{"@level":"info","@message":"core: successfully unsealed with stored key(s)","@timestamp":"2026-01-01T00:00:00Z"}';

describe.each(['dev', 'edge', 'cluster'] as const)('logs on %s', (name) => {
  const profile = BUILTIN_PROFILES[name];
  const s = profile.components.logs;
  const { platform, logs, objects } = render(name);
  const loki = () => chartValues(logs!, LOKI_RELEASE);
  const agents = () => chartValues(logs!, AGENT_RELEASE);

  it('installs Loki and the collector agents from their pinned charts', () => {
    expect(logs!.charts.map((c) => [c.release, c.chart, c.version, c.digest, c.namespace])).toEqual([
      [LOKI_RELEASE, 'loki', LOKI_CHART.version, LOKI_CHART.digest, NAMESPACES.logs],
      [AGENT_RELEASE, 'opentelemetry-collector', OTEL_COLLECTOR_CHART.version, OTEL_COLLECTOR_CHART.digest, NAMESPACES.logAgents],
    ]);
  });

  it(`stores ${name === 'cluster' ? 'in the object store with three servers' : 'on its volume with one server'}, and keeps logs ${s.retention} and audit records ${s.auditRetention}`, () => {
    const v = loki();
    expect(v.deploymentMode).toBe('Monolithic');
    expect(v.singleBinary.replicas).toBe(name === 'cluster' ? 3 : 1);
    expect(v.loki.commonConfig.replication_factor).toBe(name === 'cluster' ? 3 : 1);
    expect(v.singleBinary.persistence.size).toBe(s.volumeSize);
    expect(v.loki.limits_config.retention_period).toBe(s.retention);
    expect(v.loki.limits_config.retention_stream).toEqual([{ selector: '{sovra_log_kind="audit"}', priority: 1, period: s.auditRetention }]);
    expect(v.loki.compactor).toMatchObject({ retention_enabled: true, delete_request_store: name === 'cluster' ? 's3' : 'filesystem' });
    expect(v.loki.schemaConfig.configs[0]).toMatchObject({ store: 'tsdb', schema: 'v13', object_store: name === 'cluster' ? 's3' : 'filesystem' });
    if (name === 'cluster') {
      expect(v.loki.storage).toEqual({
        type: 's3',
        bucketNames: { chunks: OBJECT_STORE.buckets.logs },
        s3: { endpoint: 'minio.sovra-storage.svc:443', accessKeyId: '${S3_ACCESS_KEY_ID}', secretAccessKey: '${S3_SECRET_ACCESS_KEY}', s3ForcePathStyle: true, insecure: false },
      });
      // The key pair comes from OpenBao, where the object store's user of the same name reads it; the platform CA verifies MinIO.
      const es = objects.find((o) => o.kind === 'ExternalSecret' && o.metadata.name === 'loki-object-store')!;
      expect(es.metadata.namespace).toBe(NAMESPACES.logs);
      expect(es.spec.data.map((d: Obj) => d.remoteRef)).toEqual([
        { key: OBJECT_STORE_USERS.logs.openbaoPath, property: 'ACCESS_KEY_ID' },
        { key: OBJECT_STORE_USERS.logs.openbaoPath, property: 'ACCESS_SECRET_KEY' },
      ]);
      expect(v.singleBinary.extraEnv).toContainEqual({ name: 'SSL_CERT_FILE', value: '/etc/sovra/trust/ca.crt' });
      const users = chartValues(platform.component('object-store')!, TENANT_RELEASE).tenant.users.map((u: Obj) => u.name);
      expect(users).toEqual([OBJECT_STORE_USERS['postgres-backup'].userSecret, OBJECT_STORE_USERS.logs.userSecret, OBJECT_STORE_USERS.traces.userSecret]);
    } else {
      expect(v.loki.storage).toEqual({ type: 'filesystem' });
      expect(v.singleBinary.extraEnv).toEqual([]);
      expect(objects.some((o) => o.metadata.name === 'loki-object-store')).toBe(false);
      expect(chartValues(platform.component('object-store')!, TENANT_RELEASE).tenant.users).toEqual([{ name: OBJECT_STORE_USERS['postgres-backup'].userSecret }]);
    }
    // No tenant header, no token, none of the chart's extra workloads, no usage report.
    expect(v.loki.auth_enabled).toBe(false);
    expect(v.serviceAccount.automountServiceAccountToken).toBe(false);
    for (const extra of ['gateway', 'lokiCanary', 'test', 'chunksCache', 'resultsCache', 'memcached', 'minio']) expect(v[extra].enabled, extra).toBe(false);
    expect(v.loki.analytics.reporting_enabled).toBe(false);
  });

  it('collects every declared audit trail: the API server audit log where the distribution writes it, and OpenBao audit lines parsed into attributes', () => {
    const services = logs!.collectedAuditLogs.map((a) => a.service);
    expect(services).toEqual(['kube-apiserver', 'openbao']);
    const config = agents().alternateConfig;
    const auditLog = name === 'cluster' ? '/var/lib/rancher/rke2/server/logs/audit.log' : '/var/lib/rancher/k3s/server/logs/audit.log';
    expect(YAML.parse(platform.component('distribution')!.hostFiles[0]!.content as string)['kube-apiserver-arg']).toContain(`audit-log-path=${auditLog}`);
    expect(config.receivers['file_log/audit-kube-apiserver']).toMatchObject({ include: [auditLog], start_at: 'beginning', storage: 'file_storage', resource: { 'service.name': 'kube-apiserver', 'sovra.log.kind': 'audit' } });
    expect(agents().extraVolumes).toContainEqual({ name: 'audit-logs-0', hostPath: { path: auditLog.replace(/\/audit\.log$/, ''), type: 'DirectoryOrCreate' } });
    const ops = config.receivers['file_log/pods'].operators as Obj[];
    expect(ops.map((o) => o.id)).toEqual(['container-parser', 'audit-openbao-parse', 'audit-openbao-kind', 'audit-openbao-service']);
    expect(ops[2]).toMatchObject({ type: 'add', field: 'resource["sovra.log.kind"]', value: 'audit' });
    // The declared pattern tells OpenBao's audit records from its other log lines.
    const openbao = logs!.collectedAuditLogs.find((a) => a.service === 'openbao')!;
    if (openbao.kind !== 'container') throw new Error('OpenBao declares a container audit log');
    expect(new RegExp(openbao.match).test(AUDIT_LINE)).toBe(true);
    expect(new RegExp(openbao.match).test(SERVER_LINE)).toBe(false);
    expect(ops[1]!.if).toBe(containerAuditCondition(openbao));
    expect(config.service.pipelines.logs.receivers).toEqual(['file_log/pods', 'file_log/audit-kube-apiserver']);
    // Nothing is dropped while Loki is away: the queue is on the node and retries never give up.
    expect(config.exporters['otlphttp/loki']).toMatchObject({ endpoint: 'http://loki.sovra-logs.svc:3100/otlp', sending_queue: { storage: 'file_storage' }, retry_on_failure: { max_elapsed_time: 0 } });
  });

  it('runs the collectors in a privileged namespace of their own, with the reason, and only the exceptions they need', () => {
    const ns = objects.find((o) => o.kind === 'Namespace' && o.metadata.name === NAMESPACES.logAgents)!;
    expect(ns.metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'privileged', 'pod-security.kubernetes.io/warn': 'restricted' });
    expect(ns.metadata.annotations['sovra.dev/pod-security-reason']).toMatch(/read-only/);
    expect(objects.find((o) => o.kind === 'Namespace' && o.metadata.name === NAMESPACES.logs)!.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(logs!.policyExceptions.map((e) => `${e.rule} ${e.object.kind}/${e.object.name}`).sort()).toEqual([
      'pod-security/namespace-restricted Namespace/sovra-log-agents',
      'pod-security/run-as-non-root DaemonSet/log-collector-agent',
      'pod-security/service-account-token DaemonSet/log-collector-agent',
      'pod-security/volume-types DaemonSet/log-collector-agent',
    ]);
    // Root, but without any capability, escalation or writable root filesystem; every host path but the collector's state is read-only.
    expect(agents().securityContext).toMatchObject({ runAsUser: 0, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(agents().extraVolumeMounts.filter((m: Obj) => !m.readOnly).map((m: Obj) => m.name)).toEqual(['collector-state']);
    // No host port: the chart's default receivers are off.
    expect(Object.entries(agents().ports as Obj).filter(([, p]) => p.enabled).map(([n]) => n)).toEqual(['metrics']);
  });

  it('lets only the collectors, Grafana and Prometheus reach Loki, and the collectors only Loki and the API server', () => {
    const np = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'logs-loki')!;
    const from = np.spec.ingress.map((r: Obj) => [r.from[0].namespaceSelector?.matchLabels['kubernetes.io/metadata.name'], r.from[0].podSelector.matchLabels['app.kubernetes.io/name'], r.ports.map((p: Obj) => p.port)]);
    expect(from).toEqual(
      expect.arrayContaining([
        [NAMESPACES.logAgents, 'opentelemetry-collector', [3100]],
        ['sovra-monitoring', 'grafana', [3100]],
        ['sovra-monitoring', 'prometheus', [3100]],
      ]),
    );
    expect(from).toHaveLength(name === 'cluster' ? 4 : 3); // on cluster the servers reach each other (gRPC, memberlist)
    const agentNp = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'logs-collector')!;
    expect(agentNp.metadata.namespace).toBe(NAMESPACES.logAgents);
    expect(agentNp.spec.egress.map((r: Obj) => r.ports.map((p: Obj) => p.port))).toEqual([[53, 53], [3100]]);
    const cnp = objects.find((o) => o.kind === 'CiliumNetworkPolicy' && o.metadata.name === 'logs-collector')!;
    expect(cnp.spec.egress).toEqual([{ toEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '6443', protocol: 'TCP' }] }] }]);
  });

  it("is Grafana's Loki datasource, provisioned by the monitoring component from the kit declaration", () => {
    const grafana = chartValues(platform.component('monitoring')!, 'monitoring').grafana;
    expect(grafana.additionalDataSources).toContainEqual({ name: 'Loki', uid: 'loki', type: 'loki', access: 'proxy', url: 'http://loki.sovra-logs.svc:3100', isDefault: false, editable: false, jsonData: { maxLines: 1000, timeout: 60 } });
    expect(platform.podGroup('monitoring', 'grafana')!.egress.some((c) => 'component' in c.to && c.to.component === 'logs' && c.to.pods === 'loki' && c.to.port === 'http')).toBe(true);
  });

  it('writes its alerts (export failures and refused records: AU-5) with declared metrics, and monitors Loki and the collectors', () => {
    const rule = objects.find((o) => o.kind === 'PrometheusRule' && o.metadata.name === 'logs-alerts')!;
    const rules = rule.spec.groups[0].rules as Obj[];
    expect(rules.map((r) => r.alert)).toEqual(['LogCollectorExportFailing', 'LogCollectorQueueFilling', 'LogCollectorRefusingRecords', 'LokiDiscardingRecords', 'LokiRequestErrors', 'LokiRetentionNotRunning']);
    expect(rules[0]).toMatchObject({ expr: 'sum by (pod, exporter) (rate(otelcol_exporter_send_failed_log_records_total{namespace="sovra-log-agents"}[5m])) > 0', labels: { severity: 'critical', sovra_controls: 'au-5' } });
    const monitors = objects.filter((o) => o.kind === 'PodMonitor' && o.spec.podMetricsEndpoints[0].relabelings[0].replacement === 'logs');
    expect(monitors.map((m) => [m.spec.namespaceSelector.matchNames[0], m.spec.podMetricsEndpoints[0].portNumber]).sort()).toEqual([
      [NAMESPACES.logAgents, 8888],
      [NAMESPACES.logs, 3100],
    ]);
  });
});

describe('logs in the synthesized output', () => {
  let root: string;
  beforeAll(() => {
    root = tempDir();
  });
  afterAll(() => removeDir(root));

  it.each(['edge', 'cluster'] as const)('%s: the claims hold against the written values, and the Loki image carries its waiver', async (name) => {
    const dir = `${root}/${name}`;
    await synthProfile(name, dir);
    const def = readJson<Obj>(dir, 'oscal/component-definitions/logs.json');
    const reqs = def['component-definition'].components[0]['control-implementations'][0]['implemented-requirements'] as Obj[];
    expect(reqs.map((r) => r['control-id']).sort()).toEqual(['au-11', 'au-4', 'au-6', 'au-9', 'si-4']);
    // The SSP sets AU-11's retention period to the audit retention of the profile.
    const ssp = readJson<Obj>(dir, 'oscal/ssp.json');
    const au11 = (ssp['system-security-plan']['control-implementation']['implemented-requirements'] as Obj[]).find((r) => r['control-id'] === 'au-11')!;
    expect(au11['set-parameters']).toEqual([{ 'param-id': 'au-11_prm_1', values: [BUILTIN_PROFILES[name].components.logs.auditRetention] }]);
    // AU-5: the monitoring component's claim names the log pipeline's alerts, with the written rules as evidence.
    const monitoring = readJson<Obj>(dir, 'oscal/component-definitions/monitoring.json');
    const au5 = (monitoring['component-definition'].components[0]['control-implementations'][0]['implemented-requirements'] as Obj[]).find((r) => r['control-id'] === 'au-5')!;
    expect(au5.description).toContain('LogCollectorExportFailing, LogCollectorQueueFilling, LogCollectorRefusingRecords, LokiDiscardingRecords, LokiRequestErrors (logs)');
    expect((au5.links as Obj[]).some((l) => /logs-alerts/.test(l.text) && /LokiDiscardingRecords/.test(l.text))).toBe(true);
    const sbom = readJson<{ components: Obj[] }>(dir, 'sbom.cdx.json');
    const image = sbom.components.find((c) => c['bom-ref'] === lokiLicenseWaivers()[0]!.component)!;
    expect(image.properties).toContainEqual({ name: 'sovra:license:waiver:AGPL-3.0-only:reason', value: lokiLicenseWaivers()[0]!.reason });
    // The values the evidence cites are those written (HelmChart on edge, helm_release on cluster).
    const written =
      name === 'edge'
        ? YAML.parse((writtenObjects(dir).find((o) => o.object.kind === 'HelmChart' && o.object.metadata.name === LOKI_RELEASE)!.object.spec as Obj).valuesContent)
        : YAML.parse((terraformResources(dir)!.helm_release![LOKI_RELEASE]!.values as string[])[0]!);
    expect(written.loki.limits_config.retention_stream[0].selector).toBe(AUDIT_SELECTOR);
  });
});

describe('profiles', () => {
  it('a profile that turns logs off installs neither Loki nor collectors, needs no Loki waiver, and Grafana has no Loki datasource', () => {
    const edge = structuredClone(BUILTIN_PROFILES.edge);
    const profile = validateProfile(
      { ...edge, licenseWaivers: (edge.licenseWaivers ?? []).filter((w) => w.component !== lokiLicenseWaivers()[0]!.component), components: { ...edge.components, logs: { ...edge.components.logs, enabled: false } } },
      'test (edge without logs)',
    );
    const { platform, logs, objects } = render(profile);
    expect(logs).toBeUndefined();
    expect(objects.filter((o) => [NAMESPACES.logs, NAMESPACES.logAgents].includes(o.metadata.namespace ?? o.metadata.name))).toEqual([]);
    expect(platform.images().some((i) => i.repository === LOKI_IMAGE.repository)).toBe(false);
    expect((chartValues(platform.component('monitoring')!, 'monitoring').grafana.additionalDataSources as Obj[]).map((d) => d.uid)).toEqual(['tempo']);
  });

  it("with the site's object store (keys supplied at install), Loki and Tempo read their keys from Secrets the synth reports and trust the public roots", async () => {
    const cluster = structuredClone(BUILTIN_PROFILES.cluster);
    const external = { mode: 'external', endpointURL: 'https://s3.example.org:9443', buckets: { models: 'm-bucket', backups: 'b-bucket', logs: 'l-bucket', traces: 't-bucket' }, credentials: { source: 'supplied-at-install' } };
    const profile = validateProfile(
      { ...cluster, licenseWaivers: (cluster.licenseWaivers ?? []).filter((w) => !/minio/.test(w.component) && !/operator\.min\.io/.test(w.component)), components: { ...cluster.components, 'object-store': external } },
      'test (cluster, external store)',
    );
    const dir = tempDir();
    try {
      const r = await synthProfile('cluster', dir, { profile });
      expect(r.suppliedAtInstall.map((x) => `${x.namespace}/${x.name}`)).toEqual(expect.arrayContaining(['sovra-logs/loki-object-store', 'sovra-traces/tempo-object-store']));
      const { logs, objects } = render(profile);
      const v = chartValues(logs!, LOKI_RELEASE);
      expect(v.loki.storage.s3.endpoint).toBe('s3.example.org:9443');
      expect(v.loki.storage.bucketNames).toEqual({ chunks: 'l-bucket' });
      // A site store has a certificate of its own CA: the platform's bundle is not forced on Loki.
      expect(v.singleBinary.extraEnv.map((e: Obj) => e.name)).toEqual(['S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY']);
      const cnp = objects.find((o) => o.kind === 'CiliumNetworkPolicy' && o.metadata.name === 'logs-loki')!;
      expect(cnp.spec.egress).toContainEqual({ toFQDNs: [{ matchName: 's3.example.org' }], toPorts: [{ ports: [{ port: '9443', protocol: 'TCP' }] }] });
    } finally {
      removeDir(dir);
    }
  });

  it('refuses audit records kept for less time than other logs, naming the setting', () => {
    const edge = structuredClone(BUILTIN_PROFILES.edge);
    const profile = validateProfile({ ...edge, components: { ...edge.components, logs: { ...edge.components.logs, retention: '90d', auditRetention: '30d' } } }, 'test (edge, short audit retention)');
    let err: unknown;
    try {
      render(profile);
    } catch (e) {
      err = e;
    }
    expect(isSovraError(err)).toBe(true);
    expect((err as Error).message).toMatch(/components\.logs: auditRetention \(30d\) is shorter than retention \(90d\)/);
  });

  it("reads an audit trail a new component declares in its container's log, with no edit of the logs component", () => {
    class Auditor extends Component {
      constructor(scope: Construct, id: string, props: ComponentProps) {
        super(scope, id, props, { title: 'Auditor (test)', description: 'Writes audit records to its log.', layer: 'data', namespace: 'sovra-auditor', version: '1' });
        this.declareAuditLog({ kind: 'container', service: 'auditor', namespace: 'sovra-auditor', container: 'app', stream: 'stderr', match: '^\\{"audit":', format: 'json' });
      }
    }
    const auditor: ComponentDefinition = { id: 'auditor', layer: 'data', create: (s, id, p) => new Auditor(s, id, p) };
    // Before logs in build order, as every component is (the registry puts observability last).
    const components = [...COMPONENTS.slice(0, COMPONENTS.findIndex((c) => c.id === 'logs')), auditor, ...COMPONENTS.slice(COMPONENTS.findIndex((c) => c.id === 'logs'))];
    const { platform } = buildPlatform(loadProfile('edge'), { components });
    const logs = platform.component('logs')!;
    const ops = chartValues(logs, AGENT_RELEASE).alternateConfig.receivers['file_log/pods'].operators as Obj[];
    expect(ops.filter((o) => o.id.startsWith('audit-auditor-')).map((o) => o.if)).toEqual(Array(3).fill('resource["k8s.namespace.name"] == "sovra-auditor" and resource["k8s.container.name"] == "app" and attributes["log.iostream"] == "stderr" and body matches "^\\\\{\\"audit\\":"'));
    expect((logs as Logs).claims.find((c) => c.control === 'au-4')!.statement).toContain('kube-apiserver, openbao, auditor');
  });
});

describe('objects', () => {
  it('the written Kubernetes objects of the logs component are schema-valid (the synth validates each)', async () => {
    const dir = tempDir();
    try {
      await synthProfile('dev', dir);
      const mine = writtenObjects(dir).filter((o) => o.where.startsWith('manifests/logs.yaml'));
      expect(mine.map((o) => (o.object as K8sObject).kind)).toEqual(expect.arrayContaining(['Namespace', 'HelmChart', 'NetworkPolicy', 'CiliumNetworkPolicy']));
    } finally {
      removeDir(dir);
    }
  });
});
