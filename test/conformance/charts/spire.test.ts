/**
 * The spire charts (spire 0.30.0 and spire-crds 0.6.0, from the tag of
 * their release) rendered by the real helm with the values Sovra writes for
 * each profile: the charts accept them, every value path exists in the
 * umbrella chart or the subchart it is meant for, the server and agent
 * configuration carry the settings the claims cite (trust domain, k8s_psat,
 * datastore, CA key type and lifetimes), the pod templates match the pod
 * groups the component declares, every image the render runs is declared,
 * and the ClusterSPIFFEIDs Sovra writes are accepted by the CRD the
 * spire-crds chart installs.
 */
import { Ajv } from 'ajv';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_NAMESPACE, CLASS_NAME, POD_LABELS, SERVER_API_PORT, TRUST_MOUNT } from '../../../constructs/identity/spire/spire.js';
import { NAMESPACES, SPIRE_WORKLOAD_API, TRUST_BUNDLE } from '../../../constructs/kit/shared-names.js';
import { PROFILES, removeDir, synthAll, writtenObjects, type K8sObject, type ProfileName } from '../../support/synth-output.js';
import { chartDir, declaredImages, objectNamed, renderChart, renderedImages, undeclaredImages, unknownValuePaths, writtenValues, type Render } from '../support/helm.js';
import { clusterRefusals, liftedFindings, policyCheck, policyProblems } from '../support/policy.js';

const CHART = () => chartDir('spire', 'spire-0.30.0');
const CRDS = () => chartDir('spire', 'spire-crds-0.6.0');
const TRUST_DOMAIN: Record<ProfileName, string> = { dev: 'dev.sovra.local', edge: 'edge.sovra.local', cluster: 'cluster.sovra.local' };
/** The subcharts whose values Sovra sets, by the key the umbrella chart passes them under. */
const SUBCHARTS = ['spire-server', 'spire-agent', 'spiffe-csi-driver'] as const;
/** Maps the charts take whole (Kubernetes objects: resources, security contexts, spread constraints). */
const FREE_FORM = [
  'spire-server.resources',
  'spire-server.podSecurityContext',
  'spire-server.controllerManager.resources',
  'spire-agent.resources',
  'spire-agent.securityContext',
  'spire-agent.podSecurityContext',
  'spiffe-csi-driver.resources',
  'spiffe-csi-driver.podSecurityContext',
];

let root: string | undefined;
let dirs: Record<ProfileName, string>;
let defaultsDir: string;
const renders = new Map<ProfileName, Render>();
let crds: Render;

type Container = { name: string; image: string; ports?: Array<{ containerPort: number; name?: string }>; securityContext?: Record<string, unknown>; env?: Array<{ name: string; valueFrom?: unknown }>; args?: string[] };
type PodSpec = { containers: Container[]; initContainers?: Container[]; serviceAccountName?: string; hostPID?: boolean; hostNetwork?: boolean; securityContext?: Record<string, unknown>; volumes?: Array<Record<string, unknown>> };
type Workload = K8sObject & { spec: { replicas?: number; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } } };

function deepMerge(base: unknown, over: unknown): unknown {
  if (base === null || typeof base !== 'object' || Array.isArray(base) || over === null || typeof over !== 'object' || Array.isArray(over)) return over ?? base;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over as Record<string, unknown>)) out[k] = k in out ? deepMerge(out[k], v) : v;
  return out;
}

/** The chart's defaults as helm merges them: each subchart's values.yaml under its key, overridden by the umbrella's. */
function mergedDefaults(): string {
  const umbrella = YAML.parse(readFileSync(join(CHART(), 'values.yaml'), 'utf8')) as Record<string, unknown>;
  for (const sub of SUBCHARTS) umbrella[sub] = deepMerge(YAML.parse(readFileSync(join(CHART(), 'charts', sub, 'values.yaml'), 'utf8')), umbrella[sub]);
  const dir = mkdtempSync(join(tmpdir(), 'sovra-spire-defaults-'));
  writeFileSync(join(dir, 'values.yaml'), YAML.stringify(umbrella));
  return dir;
}

const render = (p: ProfileName) => renders.get(p)!;
const workload = (p: ProfileName, kind: string, name: string) => objectNamed(render(p).objects, kind, name) as Workload;
const serverConf = (p: ProfileName) => JSON.parse((objectNamed(render(p).objects, 'ConfigMap', 'spire-server').data as Record<string, string>)['server.conf']!) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const agentConf = (p: ProfileName) => JSON.parse((objectNamed(render(p).objects, 'ConfigMap', 'spire-agent').data as Record<string, string>)['agent.conf']!) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

beforeAll(async () => {
  ({ root, dirs } = await synthAll());
  defaultsDir = mergedDefaults();
  for (const p of PROFILES) renders.set(p, renderChart({ chart: CHART(), release: 'spire', namespace: NAMESPACES.spire, values: writtenValues(dirs[p], 'spire') }));
  crds = renderChart({ chart: CRDS(), release: 'spire-crds', namespace: NAMESPACES.spire, values: writtenValues(dirs.dev, 'spire-crds') });
});
afterAll(() => {
  removeDir(root);
  if (defaultsDir) rmSync(defaultsDir, { recursive: true, force: true });
});

describe.each(PROFILES)('profile %s', (profile) => {
  it('the charts accept the values Sovra writes, and know every value path (umbrella or subchart)', () => {
    expect(render(profile).error).toBe('');
    expect(render(profile).ok).toBe(true);
    expect(crds.ok).toBe(true);
    expect(unknownValuePaths(defaultsDir, writtenValues(dirs[profile], 'spire'), FREE_FORM)).toEqual([]);
  });

  it('the server configuration carries the trust domain, the k8s_psat attestor, the datastore and the CA settings', () => {
    const conf = serverConf(profile);
    const server = conf.server as Record<string, unknown>;
    expect(server.trust_domain).toBe(TRUST_DOMAIN[profile]);
    expect(server.ca_key_type).toBe(profile === 'cluster' ? 'ec-p384' : 'ec-p256');
    expect(server.ca_ttl).toBe('24h');
    expect(server.default_x509_svid_ttl).toBe('1h');
    expect(server.default_jwt_svid_ttl).toBe('5m');
    expect(server.audit_log_enabled).toBe(true);
    expect(server.bind_port).toBe(String(SERVER_API_PORT));
    const psat = conf.plugins.NodeAttestor[0].k8s_psat.plugin_data.clusters[0].sovra;
    expect(psat.service_account_allow_list).toEqual([`${AGENT_NAMESPACE}:spire-agent`]);
    expect(psat.audience).toEqual(['spire-server']);
    expect(conf.plugins.NodeAttestor).toHaveLength(1); // no join tokens, no other attestor
    const sql = conf.plugins.DataStore[0].sql.plugin_data;
    if (profile === 'cluster') {
      expect(sql.database_type).toBe('postgres');
      expect(sql.connection_string).toBe(`dbname=spire user=spire password=\${DBPW} host=spire-db-rw.${NAMESPACES.spire}.svc port=5432 sslmode=verify-full sslrootcert=${TRUST_MOUNT}/${TRUST_BUNDLE.key}`);
    } else {
      expect(sql.database_type).toBe('sqlite3');
    }
  });

  it('the server runs 3 replicas over PostgreSQL on cluster (password from the operator Secret, trust bundle mounted), 1 elsewhere', () => {
    const sts = workload(profile, 'StatefulSet', 'spire-server');
    expect(sts.metadata.namespace).toBe(NAMESPACES.spire);
    expect(sts.spec.replicas).toBe(profile === 'cluster' ? 3 : 1);
    const server = sts.spec.template.spec.containers.find((c) => c.name === 'spire-server')!;
    const dbpw = server.env?.find((e) => e.name === 'DBPW');
    if (profile === 'cluster') {
      expect(dbpw?.valueFrom).toEqual({ secretKeyRef: { name: 'spire-db-app', key: 'password' } });
      expect(sts.spec.template.spec.volumes).toContainEqual({ name: 'sovra-trust', configMap: { name: TRUST_BUNDLE.name } });
      expect((sts.spec.template.spec as unknown as { topologySpreadConstraints: unknown[] }).topologySpreadConstraints).toHaveLength(1);
    } else {
      expect(dbpw).toBeUndefined();
    }
    // The chart writes no Secret of its own: the password is the operator's.
    expect(render(profile).objects.filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  it('the agents attest workloads through the kubelet, verified against the cluster CA, without host network', () => {
    const conf = agentConf(profile);
    expect(conf.agent.trust_domain).toBe(TRUST_DOMAIN[profile]);
    expect(conf.agent.server_address).toBe(`spire-server.${NAMESPACES.spire}`);
    const k8s = conf.plugins.WorkloadAttestor[0].k8s.plugin_data;
    expect(k8s.skip_kubelet_verification).toBe(false);
    expect(k8s.kubelet_ca_path).toBe('/var/run/secrets/kubernetes.io/serviceaccount/ca.crt');
    expect(conf.plugins.NodeAttestor[0].k8s_psat.plugin_data.cluster).toBe('sovra');
    const ds = workload(profile, 'DaemonSet', 'spire-agent');
    expect(ds.metadata.namespace).toBe(AGENT_NAMESPACE);
    expect(ds.spec.template.spec.hostNetwork).toBeUndefined();
    expect(ds.spec.template.spec.hostPID).toBe(true);
  });

  it('the controller manager acts on Sovra\'s class only, and the chart renders none of its own ClusterSPIFFEIDs', () => {
    const cm = YAML.parse((objectNamed(render(profile).objects, 'ConfigMap', 'spire-controller-manager').data as Record<string, string>)['controller-manager-config.yaml']!) as Record<string, unknown>;
    expect(cm.className).toBe(CLASS_NAME);
    expect(cm.watchClassless).toBe(false);
    expect(cm.trustDomain).toBe(TRUST_DOMAIN[profile]);
    expect(cm.ignoreNamespaces).not.toContain('kube-system');
    expect(render(profile).objects.filter((o) => o.kind === 'ClusterSPIFFEID')).toEqual([]);
    // No hook Jobs (their kubectl image follows the live cluster's version).
    expect(render(profile).objects.filter((o) => o.kind === 'Job')).toEqual([]);
  });

  it('the pod templates carry the labels, service accounts and ports of the declared pod groups', () => {
    const sts = workload(profile, 'StatefulSet', 'spire-server');
    const agent = workload(profile, 'DaemonSet', 'spire-agent');
    const csi = workload(profile, 'DaemonSet', 'spire-spiffe-csi-driver');
    for (const [w, labels, sa] of [
      [sts, POD_LABELS.server, 'spire-server'],
      [agent, POD_LABELS.agent, 'spire-agent'],
      [csi, POD_LABELS.csiDriver, 'spire-spiffe-csi-driver'],
    ] as const) {
      expect(w.spec.template.metadata.labels).toMatchObject(labels);
      expect(w.spec.template.spec.serviceAccountName).toBe(sa);
    }
    const ports = (w: Workload) => w.spec.template.spec.containers.flatMap((c) => (c.ports ?? []).map((p) => p.containerPort)).sort();
    expect(ports(sts)).toEqual(expect.arrayContaining([8081, 8082, 9443, 9988]));
    expect(ports(agent)).toEqual(expect.arrayContaining([9982, 9988]));
    expect(ports(csi)).toEqual([9809]);
    expect(csi.metadata.namespace).toBe(AGENT_NAMESPACE);
    expect(objectNamed(render(profile).objects, 'CSIDriver', SPIRE_WORKLOAD_API.csiDriver)).toBeDefined();
    const alias = agent.spec.template.spec.initContainers!.find((c) => c.name === 'ensure-alternate-names')!;
    expect(alias.args!.join('\n')).toContain(`ln -s spire-agent.sock ${SPIRE_WORKLOAD_API.socketName}`);
  });

  it('meets the hardened baseline where the chart allows: server, controller manager and agent containers', () => {
    const hardened = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } };
    for (const c of workload(profile, 'StatefulSet', 'spire-server').spec.template.spec.containers) expect(c.securityContext, c.name).toMatchObject(hardened);
    const agent = workload(profile, 'DaemonSet', 'spire-agent').spec.template.spec;
    expect(agent.containers.find((c) => c.name === 'spire-agent')!.securityContext).toMatchObject(hardened);
    expect(agent.securityContext).toMatchObject({ runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    // The exceptions the agent namespace's Pod Security level is for: two root init steps on host paths, and the privileged CSI driver.
    expect(agent.initContainers!.map((c) => [c.name, c.securityContext])).toEqual([
      ['ensure-alternate-names', { runAsUser: 0, runAsGroup: 0 }],
      ['fsgroupfix', { runAsUser: 0, runAsGroup: 0 }],
    ]);
    const csi = workload(profile, 'DaemonSet', 'spire-spiffe-csi-driver').spec.template.spec;
    expect(csi.containers.find((c) => c.name === 'spiffe-csi-driver')!.securityContext).toMatchObject({ privileged: true, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
  });

  it('runs only images the component declares (so the SBOM and the bundle are complete)', () => {
    const images = renderedImages(render(profile).objects);
    expect(images.length).toBeGreaterThan(0);
    expect(undeclaredImages(images, declaredImages(dirs[profile]))).toEqual([]);
    // The image the lock pins by the digest the chart's values publish is rendered by that digest.
    expect(images).toContain('cgr.dev/chainguard/bash@sha256:90041f375e30f41aa7e0390075d8a69dc61900771d52fa98d63ee5d03d866a58');
  });

  it('every ClusterSPIFFEID Sovra writes is accepted by the CRD the spire-crds chart installs', () => {
    const crd = objectNamed(crds.objects, 'CustomResourceDefinition', 'clusterspiffeids.spire.spiffe.io') as K8sObject & { spec: { versions: Array<{ name: string; schema: { openAPIV3Schema: object } }> } };
    const validate = new Ajv({ strict: false }).compile(crd.spec.versions.find((v) => v.name === 'v1alpha1')!.schema.openAPIV3Schema);
    const ids = writtenObjects(dirs[profile]).filter((o) => o.object.kind === 'ClusterSPIFFEID');
    expect(ids.length).toBeGreaterThan(0);
    for (const { object, where } of ids) expect(validate(object), `${where}: ${JSON.stringify(validate.errors)}`).toBe(true);
  });
});

describe.each(PROFILES)("profile %s: Sovra's policy rules over the render", (profile) => {
  const check = () => ({ outDir: dirs[profile], release: 'spire', namespace: NAMESPACES.spire, objects: render(profile).objects });

  it("the pods the chart installs meet the rules, with the component's exceptions (node agents and CSI driver by design, the server's TokenReview; Helm test pod not installed) each lifting something", () => {
    const r = policyCheck(check());
    expect(policyProblems(r)).toEqual([]);
    expect(liftedFindings(r)).toEqual(['pod-security/capabilities DaemonSet/spire-agent', 'pod-security/capabilities DaemonSet/spire-spiffe-csi-driver', 'pod-security/host-namespaces DaemonSet/spire-agent', 'pod-security/privilege-escalation DaemonSet/spire-agent', 'pod-security/privilege-escalation DaemonSet/spire-spiffe-csi-driver', 'pod-security/privileged DaemonSet/spire-spiffe-csi-driver', 'pod-security/read-only-root-fs DaemonSet/spire-agent', 'pod-security/read-only-root-fs DaemonSet/spire-spiffe-csi-driver', 'pod-security/run-as-non-root DaemonSet/spire-agent', 'pod-security/run-as-non-root DaemonSet/spire-spiffe-csi-driver', 'pod-security/seccomp DaemonSet/spire-spiffe-csi-driver', 'pod-security/service-account-token DaemonSet/spire-agent', 'pod-security/service-account-token DaemonSet/spire-spiffe-csi-driver', 'pod-security/service-account-token StatefulSet/spire-server', 'pod-security/volume-types DaemonSet/spire-agent', 'pod-security/volume-types DaemonSet/spire-spiffe-csi-driver']);
  });

  it('the cluster admits what the check admitted: the exceptions are the bindings\' exclusions', () => {
    expect(clusterRefusals(check())).toEqual([]);
    // Without its exception the CSI driver would be refused on the enforcing profiles: the same DaemonSet under another name.
    const csi = objectNamed(render(profile).objects, 'DaemonSet', 'spire-spiffe-csi-driver');
    const renamed = clusterRefusals({ ...check(), objects: [{ ...csi, metadata: { ...csi.metadata, name: 'not-the-csi-driver' } }] });
    expect(renamed.some((x) => x.endsWith('sovra-pod-security-privileged'))).toBe(profile !== 'dev');
  });
});
