/**
 * Cilium's published chart (1.20.0, the archive whose digest the catalog
 * pins) rendered by the real helm with the values Sovra writes for each
 * profile: the chart accepts them (its values.schema.json included), every
 * value path exists in the chart, the settings the claims cite reach the
 * agent's configuration, every image the render runs is declared, and its
 * objects meet Sovra's policy rules as Helm would install them, except where
 * the Cilium component states why a pod cannot (test/conformance/support/policy.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILES, removeDir, synthAll, type ProfileName } from '../../support/synth-output.js';
import { chartDir, declaredImages, objectNamed, renderChart, renderedImages, undeclaredImages, unknownValuePaths, writtenValues, type Render } from '../support/helm.js';
import { asInstalled, policyCheck, policyProblems } from '../support/policy.js';
import { Admission } from '../../support/admission.js';
import { writtenObjects } from '../../support/synth-output.js';

const CHART = () => chartDir('cilium', 'cilium-1.20.0');
let root: string | undefined;
let dirs: Record<ProfileName, string>;
const renders = new Map<ProfileName, Render>();

beforeAll(async () => {
  ({ root, dirs } = await synthAll());
  for (const p of PROFILES) renders.set(p, renderChart({ chart: CHART(), release: 'cilium', namespace: 'kube-system', values: writtenValues(dirs[p], 'cilium') }));
});
afterAll(() => removeDir(root));

describe.each(PROFILES)('profile %s', (profile) => {
  it('the chart accepts the values Sovra writes, and knows every value path', () => {
    const r = renders.get(profile)!;
    expect(r.error).toBe('');
    expect(r.ok).toBe(true);
    // socketLB.hostNamespaceOnly is documented in values.yaml but commented out there; the chart reads it (`hasKey $socketLB "hostNamespaceOnly"`).
    expect(unknownValuePaths(CHART(), writtenValues(dirs[profile], 'cilium'), ['socketLB.hostNamespaceOnly'])).toEqual([]);
  });

  it('beside the Istio mesh (edge, cluster): socket load balancing in the host namespace only, and a CNI configuration that keeps istio-cni chained; without it (dev) neither', () => {
    const config = objectNamed(renders.get(profile)!.objects, 'ConfigMap', 'cilium-config').data as Record<string, string>;
    const mesh = profile !== 'dev';
    expect(config['bpf-lb-sock-hostns-only']).toBe(mesh ? 'true' : undefined);
    expect(config['cni-exclusive']).toBe(mesh ? 'false' : 'true');
    // The agent writes its configuration where istio-cni looks for it.
    const ds = objectNamed(renders.get(profile)!.objects, 'DaemonSet', 'cilium');
    const hostPaths = (ds.spec as { template: { spec: { volumes: Array<{ hostPath?: { path: string } }> } } }).template.spec.volumes.flatMap((v) => (v.hostPath ? [v.hostPath.path] : []));
    expect(hostPaths).toEqual(expect.arrayContaining(['/etc/cni/net.d', '/opt/cni/bin']));
  });

  it('the claimed settings reach the agent configuration: WireGuard for pods and nodes, Hubble with TLS, kube-proxy replacement', () => {
    const config = objectNamed(renders.get(profile)!.objects, 'ConfigMap', 'cilium-config').data as Record<string, string>;
    expect(config['enable-wireguard']).toBe('true');
    expect(config['encrypt-node']).toBe('true');
    expect(config['enable-hubble']).toBe('true');
    expect(config['hubble-disable-tls']).toBe('false');
    expect(config['kube-proxy-replacement']).toBe('true');
    expect(config['enable-policy']).toBe('default');
  });

  it('runs only images the component declares (so the SBOM and the bundle are complete)', () => {
    const images = renderedImages(renders.get(profile)!.objects);
    expect(images.length).toBeGreaterThan(0);
    expect(undeclaredImages(images, declaredImages(dirs[profile]))).toEqual([]);
  });

  it("meets the policy rules, with the component's exceptions (the privileged agent, the node proxy, kube-system) each lifting something", () => {
    const r = policyCheck({ outDir: dirs[profile], release: 'cilium', namespace: 'kube-system', objects: renders.get(profile)!.objects });
    expect(policyProblems(r)).toEqual([]);
    // The exceptions are needed: the agent really runs privileged, in the host network, with a token.
    const lifted = r.waived.filter((f) => f.object.kind === 'DaemonSet' && f.object.name === 'cilium').map((f) => f.rule);
    expect(lifted).toEqual(expect.arrayContaining(['pod-security/privileged', 'pod-security/host-namespaces', 'pod-security/service-account-token', 'network/default-deny']));
    // Pods that need no exception are judged and pass: hubble-relay runs non-root, read-only, without a token.
    expect(r.waived.filter((f) => f.object.name === 'hubble-relay').map((f) => f.rule).sort()).toEqual(['network/default-deny', 'pod-security/resources']);
    // Hubble Relay's client certificate has its producer (the chart's certgen, declared by the component): nothing is reported.
    expect(r.warnings).toEqual([]);
  });

  it('is admitted by the cluster as the check admitted it: the exceptions are the bindings\' exclusions', () => {
    type Obj = Parameters<Admission['decide']>[0];
    const admission = new Admission(writtenObjects(dirs[profile]).map((o) => o.object as unknown as Obj));
    const installed = asInstalled(renders.get(profile)!.objects, 'cilium', 'kube-system') as unknown as Obj[];
    const kubeSystem = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } } as Obj;
    for (const o of installed) expect(admission.decide(o, kubeSystem).denied, `${o.kind} ${o.metadata.name}`).toEqual([]);
    // Without its exception the agent would be refused: the same DaemonSet under another name.
    const agent = installed.find((o) => o.kind === 'DaemonSet' && o.metadata.name === 'cilium')!;
    const renamed = { ...agent, metadata: { ...agent.metadata, name: 'not-cilium' } };
    const d = admission.decide(renamed, kubeSystem);
    expect(profile === 'dev' ? d.warned : d.denied).toContain('sovra-pod-security-privileged');
  });
});
