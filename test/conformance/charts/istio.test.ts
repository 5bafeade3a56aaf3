/**
 * Istio's charts (1.30.3, ../shared/charts/istio, made release-like as
 * NOTES.txt says) rendered by the real helm with the values Sovra writes,
 * for every profile that installs the mesh (edge and cluster in sidecar
 * mode, and edge in ambient mode): the charts accept the values, every
 * value path is one the chart knows (or a map it takes whole, named here),
 * the settings the claims cite reach istiod's mesh configuration and
 * injection template, the pod groups Sovra declares select the pods the
 * charts render, every image is declared, and the pods Sovra runs in a
 * restricted namespace meet the hardened baseline.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProfile } from '../../../profiles/load.js';
import { synth } from '../../../synth/synth.js';
import { removeDir, synthProfile, TEST_EPOCH, tempDir, type K8sObject } from '../../support/synth-output.js';
import { chartDir, declaredImages, objectNamed, renderChart, renderedImages, undeclaredImages, unknownValuePaths, writtenValues, type Render } from '../support/helm.js';
import { clusterRefusals, liftedFindings, policyCheck, policyProblems } from '../support/policy.js';

/** A case: a profile that installs the mesh, in one mode. */
const CASES = ['edge', 'cluster', 'edge-ambient'] as const;
type Case = (typeof CASES)[number];

/** Each chart Sovra installs: its directory, release, namespace, and the maps it takes whole. */
const CHARTS = {
  base: { dir: 'base-1.30.3', release: 'istio-base', namespace: 'istio-system', freeForm: [] },
  // meshConfig is Istio's MeshConfig API (checked below through the rendered ConfigMap); env, seccompProfile, resources and the gateways' security context are Kubernetes or environment maps.
  istiod: { dir: 'istio-discovery-1.30.3', release: 'istiod', namespace: 'istio-system', freeForm: ['meshConfig', 'env', 'seccompProfile', 'global.proxy.seccompProfile', 'gateways.securityContext', 'gateways.seccompProfile', 'resources'] },
  cni: { dir: 'istio-cni-1.30.3', release: 'istio-cni', namespace: 'kube-system', freeForm: ['seccompProfile'] },
  ztunnel: { dir: 'ztunnel-1.30.3', release: 'ztunnel', namespace: 'kube-system', freeForm: [] },
  gateway: { dir: 'gateway-1.30.3', release: 'sovra-gateway', namespace: 'istio-system', freeForm: ['podDisruptionBudget', 'securityContext', 'containerSecurityContext'] },
} as const;
type ChartKey = keyof typeof CHARTS;

const chartsOf = (c: Case): ChartKey[] => (c === 'edge-ambient' ? ['base', 'istiod', 'cni', 'ztunnel', 'gateway'] : ['base', 'istiod', 'cni', 'gateway']);

let root: string;
const dirs = new Map<Case, string>();
const renders = new Map<string, Render>();
const defaultsDir = tempDir('sovra-istio-defaults-');

/**
 * The chart's defaults as a values file: Istio's charts keep them under
 * `_internal_defaults_do_not_set` (zzz_profile.yaml merges them under the
 * user's values), so that is what a value path must exist in.
 */
function defaultsOf(key: ChartKey): string {
  const dir = join(defaultsDir, key);
  const doc = YAML.parse(readFileSync(join(chartDir('istio', CHARTS[key].dir), 'values.yaml'), 'utf8')) as Record<string, unknown>;
  const { _internal_defaults_do_not_set: inner, ...rest } = doc;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'values.yaml'), YAML.stringify({ ...(inner as object), ...rest }));
  return dir;
}

const render = (c: Case, key: ChartKey) => renders.get(`${c}/${key}`)!;
const values = (c: Case, key: ChartKey) => writtenValues(dirs.get(c)!, CHARTS[key].release);
type PodSpec = { serviceAccountName?: string; securityContext?: Record<string, unknown>; containers: Array<{ name: string; image: string; securityContext?: Record<string, unknown> }> };
const podTemplate = (o: K8sObject) => (o.spec as { template: { metadata: { labels: Record<string, string> }; spec: PodSpec } }).template;

beforeAll(async () => {
  root = tempDir();
  for (const p of ['edge', 'cluster'] as const) {
    dirs.set(p, join(root, p));
    await synthProfile(p, dirs.get(p)!);
  }
  const edge = loadProfile('edge');
  const ambient = { ...edge, components: { ...edge.components, istio: { ...edge.components.istio, mode: 'ambient' as const } } };
  dirs.set('edge-ambient', join(root, 'edge-ambient'));
  await synth({ profile: ambient, profileSource: 'edge (ambient)', outDir: dirs.get('edge-ambient')!, env: { SOURCE_DATE_EPOCH: TEST_EPOCH } });
  for (const c of CASES) {
    for (const key of chartsOf(c)) {
      const chart = CHARTS[key];
      renders.set(`${c}/${key}`, renderChart({ chart: chartDir('istio', chart.dir), release: chart.release, namespace: chart.namespace, values: values(c, key) }));
    }
  }
});
afterAll(() => {
  removeDir(root);
  removeDir(defaultsDir);
});

describe.each(CASES)('%s', (c) => {
  it.each(chartsOf(c))('chart %s accepts the values Sovra writes and knows every value path', (key) => {
    const r = render(c, key);
    expect(r.error).toBe('');
    expect(r.ok).toBe(true);
    expect(unknownValuePaths(defaultsOf(key), values(c, key), CHARTS[key].freeForm)).toEqual([]);
  });

  it('istiod serves the mesh configuration the claims cite: REGISTRY_ONLY, TLS 1.3 mesh mTLS, ECDSA P-256 keys, the trust domain, apps wait for their proxy', () => {
    const mesh = YAML.parse((objectNamed(render(c, 'istiod').objects, 'ConfigMap', 'istio').data as { mesh: string }).mesh) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(mesh.outboundTrafficPolicy).toEqual({ mode: 'REGISTRY_ONLY' });
    expect(mesh.meshMTLS).toEqual({ minProtocolVersion: 'TLSV1_3' });
    expect(mesh.trustDomain).toBe('cluster.local');
    expect(mesh.rootNamespace).toBe('istio-system');
    expect(mesh.defaultConfig.holdApplicationUntilProxyStarts).toBe(true);
    expect(mesh.defaultConfig.proxyMetadata).toMatchObject({ ECC_SIGNATURE_ALGORITHM: 'ECDSA', ECC_CURVE: 'P256' });
    if (c === 'edge-ambient') expect(mesh.defaultConfig.proxyMetadata.ISTIO_META_ENABLE_HBONE).toBe('true');
  });

  it('injection needs no NET_ADMIN: istiod injects with istio-cni, non-privileged, RuntimeDefault seccomp (restricted Pod Security admits the pods)', () => {
    const cm = objectNamed(render(c, 'istiod').objects, 'ConfigMap', 'istio-sidecar-injector').data as { values: string; config: string };
    const v = JSON.parse(cm.values) as { pilot: { cni: { enabled: boolean } }; global: { proxy: { privileged: boolean; seccompProfile: unknown; image: string }; proxy_init: { image: string } } };
    expect(v.pilot.cni.enabled).toBe(true);
    expect(v.global.proxy.privileged).toBe(false);
    expect(v.global.proxy.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    // The template's init container: without cni it would add NET_ADMIN and NET_RAW and run as root.
    expect(cm.config).toMatch(/\{\{ if \.Values\.pilot\.cni\.enabled -\}\}\s*- name: istio-validation/);
    // The proxy image injected into every pod and the gateway is declared.
    const declared = declaredImages(dirs.get(c)!);
    expect(undeclaredImages([v.global.proxy.image, v.global.proxy_init.image], declared)).toEqual([]);
  });

  it('istiod trusts ztunnel where Sovra runs it (ambient), and enables ambient', () => {
    const env = podTemplate(objectNamed(render(c, 'istiod').objects, 'Deployment', 'istiod')).spec.containers[0] as unknown as { env: Array<{ name: string; value?: string }> };
    const byName = Object.fromEntries(env.env.map((e) => [e.name, e.value]));
    if (c === 'edge-ambient') {
      expect(byName.PILOT_ENABLE_AMBIENT).toBe('true');
      expect(byName.CA_TRUSTED_NODE_ACCOUNTS).toBe('kube-system/ztunnel');
    } else {
      expect(byName.PILOT_ENABLE_AMBIENT).toBeUndefined();
    }
  });

  it('istio-cni chains into the directories Cilium writes, redirecting for ambient only in ambient mode', () => {
    const objs = render(c, 'cni').objects;
    const ds = objectNamed(objs, 'DaemonSet', 'istio-cni-node');
    const hostPaths = ((ds.spec as { template: { spec: { volumes: Array<{ name: string; hostPath?: { path: string } }> } } }).template.spec.volumes).flatMap((v) => (v.hostPath ? [v.hostPath.path] : []));
    expect(hostPaths).toEqual(expect.arrayContaining(['/etc/cni/net.d', '/opt/cni/bin']));
    const cilium = writtenValues(dirs.get(c)!, 'cilium') as { cni: { confPath: string; binPath: string; exclusive: boolean } };
    expect(hostPaths).toEqual(expect.arrayContaining([cilium.cni.confPath, cilium.cni.binPath]));
    expect(cilium.cni.exclusive).toBe(false);
    const config = objectNamed(objs, 'ConfigMap', 'istio-cni-config').data as Record<string, string>;
    expect(config.CHAINED_CNI_PLUGIN).toBe('true');
    expect(config.AMBIENT_ENABLED).toBe(c === 'edge-ambient' ? 'true' : 'false');
  });

  it('the pod groups Sovra declares select the pods the charts render, under the service accounts its policies name', () => {
    const istiod = podTemplate(objectNamed(render(c, 'istiod').objects, 'Deployment', 'istiod'));
    expect(istiod.metadata.labels).toMatchObject({ app: 'istiod', istio: 'pilot' });
    expect(istiod.spec.serviceAccountName).toBe('istiod');
    const gw = podTemplate(objectNamed(render(c, 'gateway').objects, 'Deployment', 'sovra-gateway'));
    expect(gw.metadata.labels).toMatchObject({ app: 'sovra-gateway', istio: 'sovra-gateway', 'sidecar.istio.io/inject': 'true' });
    expect(gw.spec.serviceAccountName).toBe('sovra-gateway');
    if (c === 'edge-ambient') {
      const zt = podTemplate(objectNamed(render(c, 'ztunnel').objects, 'DaemonSet', 'ztunnel'));
      expect(zt.metadata.labels).toMatchObject({ app: 'ztunnel' });
      expect(zt.spec.serviceAccountName).toBe('ztunnel');
    }
  });

  it('the gateway Service is the one way in: NodePort 30443 on K3s, LoadBalancer on RKE2, port 443 only', () => {
    const svc = objectNamed(render(c, 'gateway').objects, 'Service', 'sovra-gateway').spec as { type: string; ports: Array<{ port: number; nodePort?: number }> };
    expect(svc.type).toBe(c === 'cluster' ? 'LoadBalancer' : 'NodePort');
    expect(svc.ports.map((p) => p.port)).toEqual([443]);
    if (c !== 'cluster') expect(svc.ports[0]!.nodePort).toBe(30443);
  });

  it('istiod and the gateway meet the hardened baseline (non-root, read-only root, drop ALL, RuntimeDefault seccomp)', () => {
    for (const [key, name] of [['istiod', 'istiod'], ['gateway', 'sovra-gateway']] as const) {
      const t = podTemplate(objectNamed(render(c, key).objects, 'Deployment', name));
      const pod = t.spec.securityContext ?? {};
      for (const ct of t.spec.containers) {
        const s = ct.securityContext ?? {};
        expect(s.readOnlyRootFilesystem, `${name}/${ct.name}`).toBe(true);
        expect(s.runAsNonRoot ?? pod.runAsNonRoot, `${name}/${ct.name}`).toBe(true);
        expect(s.allowPrivilegeEscalation, `${name}/${ct.name}`).toBe(false);
        expect((s.capabilities as { drop: string[] }).drop, `${name}/${ct.name}`).toEqual(['ALL']);
        expect(s.seccompProfile ?? pod.seccompProfile, `${name}/${ct.name}`).toEqual({ type: 'RuntimeDefault' });
      }
    }
    // The node agents are the exception, by design: they change the node's network (NET_ADMIN, SYS_ADMIN), so they run in kube-system, which Pod Security exempts.
    for (const key of chartsOf(c).filter((k) => k === 'cni' || k === 'ztunnel')) {
      for (const o of render(c, key).objects.filter((x) => x.kind === 'DaemonSet')) expect(o.metadata.namespace).toBe('kube-system');
    }
  });

  it('runs only images the component declares (so the SBOM and the bundle are complete)', () => {
    const declared = declaredImages(dirs.get(c)!);
    const all = chartsOf(c).flatMap((k) => renderedImages(render(c, k).objects));
    expect(all.length).toBeGreaterThan(0);
    // The gateway renders `image: auto`, which istiod's gateway injection template replaces by the proxy image (checked above).
    expect(undeclaredImages(all.filter((i) => i !== 'auto'), declared)).toEqual([]);
    expect(all).toContain('auto');
    if (c === 'edge-ambient') expect(all).toContain('docker.io/istio/ztunnel:1.30.3');
  });
});

/** The findings Istio's exceptions lift, by chart (policies/; constructs/network/istio/policy-exceptions.ts). */
const LIFTED: Record<ChartKey, string[]> = {
  base: [],
  istiod: ['pod-security/service-account-token Deployment/istiod'],
  cni: ['network/default-deny DaemonSet/istio-cni-node', 'pod-security/capabilities DaemonSet/istio-cni-node', 'pod-security/privilege-escalation DaemonSet/istio-cni-node', 'pod-security/read-only-root-fs DaemonSet/istio-cni-node', 'pod-security/resources DaemonSet/istio-cni-node', 'pod-security/run-as-non-root DaemonSet/istio-cni-node', 'pod-security/service-account-token DaemonSet/istio-cni-node', 'pod-security/volume-types DaemonSet/istio-cni-node'],
  ztunnel: ['network/default-deny DaemonSet/ztunnel', 'pod-security/capabilities DaemonSet/ztunnel', 'pod-security/privilege-escalation DaemonSet/ztunnel', 'pod-security/resources DaemonSet/ztunnel', 'pod-security/run-as-non-root DaemonSet/ztunnel', 'pod-security/seccomp DaemonSet/ztunnel', 'pod-security/service-account-token DaemonSet/ztunnel', 'pod-security/volume-types DaemonSet/ztunnel'],
  // The gateway's container image is the injection placeholder `auto`, replaced in every pod by the proxy image istiod's values declare.
  gateway: ['images/pinned-by-digest Deployment/sovra-gateway', 'pod-security/service-account-token Deployment/sovra-gateway'],
};

describe.each(CASES)("%s: Sovra's policy rules over the renders", (c) => {
  const check = (key: ChartKey) => ({ outDir: dirs.get(c)!, release: CHARTS[key].release, namespace: CHARTS[key].namespace, objects: render(c, key).objects });

  it.each(chartsOf(c))("%s: the pods the chart installs meet the rules, with the component's exceptions each lifting something", (key) => {
    const r = policyCheck(check(key));
    expect(policyProblems(r)).toEqual([]);
    expect(liftedFindings(r)).toEqual(LIFTED[key]);
  });

  it("the cluster admits what the check admitted, and the placeholder image is the proxy image the mesh declares", () => {
    for (const key of chartsOf(c)) expect(clusterRefusals(check(key)), key).toEqual([]);
    const gw = podTemplate(objectNamed(render(c, 'gateway').objects, 'Deployment', 'sovra-gateway'));
    expect(gw.spec.containers.map((x) => x.image)).toEqual(['auto']);
    expect(gw.metadata.labels['sidecar.istio.io/inject']).toBe('true');
    const proxy = ((values(c, 'istiod').global as { proxy: { image: string } }).proxy.image);
    expect([...declaredImages(dirs.get(c)!)]).toContain(proxy);
  });
});
