/**
 * The mesh per profile: off on dev, sidecar mode on edge and cluster,
 * ambient as an option; every other Sovra namespace labelled into the mesh
 * (node agents and the mesh itself left out); a default-deny
 * AuthorizationPolicy in each meshed namespace and ALLOW rules derived from
 * the declared peers (a component that exists only in this test gets them
 * with no other file edited); the ingress gateway routing to the control
 * plane with a certificate from the platform issuer; the claims' evidence
 * checked by the real synth.
 */
import type { Construct } from 'constructs';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTROL_PLANE_PORT } from '../../../contracts/control-plane.js';
import { isSovraError } from '../../../core/errors.js';
import { secretClosure } from '../../../output/secret-closure.js';
import { loadProfile } from '../../../profiles/load.js';
import type { Profile } from '../../../profiles/profile.generated.js';
import { buildPlatform, manifestFile, renderObjects, synth } from '../../../synth/synth.js';
import { readJson, removeDir, synthProfile, TEST_EPOCH, tempDir, terraformResources, writtenObjects, type K8sObject } from '../../../test/support/synth-output.js';
import { Component, type ComponentProps } from '../../kit/component.js';
import type { ComponentDefinition } from '../../kit/definition.js';
import type { Peer } from '../../kit/network.js';
import { PLATFORM_ISSUER } from '../../kit/shared-names.js';
import { HardenedWorkload } from '../../kit/workload.js';
import { COMPONENTS } from '../../registry.js';

type Spec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A derived profile with other mesh settings. */
function withMesh(name: 'dev' | 'edge' | 'cluster', mesh: Partial<Profile['components']['istio']>, extra: Partial<Profile> = {}): Profile {
  const p = loadProfile(name);
  // The profile's own outsideMesh entries (monitoring's) stay; a test's come on top of them.
  const outsideMesh = [...p.components.istio.outsideMesh, ...(mesh.outsideMesh ?? [])];
  return { ...p, ...extra, components: { ...p.components, istio: { ...p.components.istio, ...mesh, outsideMesh } } };
}

/** Every object a profile renders (no files written), with the platform. */
function render(profile: Profile, components: readonly ComponentDefinition[] = COMPONENTS): K8sObject[] {
  const { platform } = buildPlatform(profile, { components });
  return [...renderObjects(platform).values()].flat() as K8sObject[];
}

const find = (objs: readonly K8sObject[], kind: string, ns: string | undefined, name: string) => objs.find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === ns);
const all = (objs: readonly K8sObject[], kind: string) => objs.filter((o) => o.kind === kind);
const values = (objs: readonly K8sObject[], release: string) => {
  const hc = find(objs, 'HelmChart', 'kube-system', release);
  return hc ? (YAML.parse((hc.spec as Spec).valuesContent as string) as Spec) : undefined;
};

/** A workload of this test: its own service account, a port, peers chosen by the test. */
function testWorkload(id: string, namespace: string, peers: readonly Peer[], options: { serviceAccount?: boolean; podSecurity?: { level: 'privileged'; reason: string } } = {}): ComponentDefinition {
  class TestComponent extends Component {
    constructor(scope: Construct, cid: string, props: ComponentProps) {
      super(scope, cid, props, { title: id, description: 'A component written by a test.', layer: 'data', namespace, version: '1.0.0', ...(options.podSecurity ? { podSecurity: options.podSecurity } : {}) });
      const image = this.addImage({ registry: 'ghcr.io', repository: `example/${id}`, tag: '1.0.0', license: 'MIT' });
      const pods =
        options.serviceAccount === false
          ? this.addPods({ name: id, labels: { 'app.kubernetes.io/name': id }, ports: { http: { port: 9000 } } })
          : new HardenedWorkload(this, 'Workload', { name: id, image, replicas: 1, ports: [{ name: 'http', port: 9000 }], resources: { cpu: '100m', memory: '64Mi' } }).pods;
      for (const p of peers) pods.connectsTo(p, `${id} needs it`);
    }
  }
  return { id, layer: 'data', create: (s, cid, p) => new TestComponent(s, cid, p) };
}

const NATS_CLIENT: Peer = { component: 'nats', pods: 'nats', port: 'client' };
const CP_HTTP: Peer = { component: 'control-plane', pods: 'control-plane', port: 'http' };

describe('per profile', () => {
  let root: string;
  const objects = new Map<string, K8sObject[]>();
  const dirs = new Map<string, string>();
  beforeAll(async () => {
    root = tempDir();
    for (const p of ['dev', 'edge', 'cluster'] as const) {
      dirs.set(p, `${root}/${p}`);
      await synthProfile(p, dirs.get(p)!);
      // The manifests (the cluster profile also writes each object as a Terraform manifest).
      objects.set(p, writtenObjects(dirs.get(p)!).filter((o) => o.where.startsWith('manifests/')).map((o) => o.object));
    }
    dirs.set('ambient', `${root}/ambient`);
    await synth({ profile: withMesh('edge', { mode: 'ambient' }), profileSource: 'edge (ambient)', outDir: dirs.get('ambient')!, env: { SOURCE_DATE_EPOCH: TEST_EPOCH } });
    objects.set('ambient', writtenObjects(dirs.get('ambient')!).map((o) => o.object));
  });
  afterAll(() => removeDir(root));

  it('dev has no mesh: no Istio objects, no injection label, Cilium without the mesh settings', () => {
    const dev = objects.get('dev')!;
    expect(dev.filter((o) => o.apiVersion.includes('istio.io'))).toEqual([]);
    expect(all(dev, 'Namespace').filter((n) => n.metadata.labels?.['istio-injection'] || n.metadata.labels?.['istio.io/dataplane-mode'])).toEqual([]);
    expect(values(dev, 'cilium')!.socketLB).toBeUndefined();
    expect(values(dev, 'cilium')!.cni.exclusive).toBeUndefined();
    expect(readJson<{ components: Array<{ name: string }> }>(dirs.get('dev')!, 'sbom.cdx.json').components.map((c) => c.name)).not.toContain('docker.io/istio/pilot');
  });

  it('a profile can turn the mesh on for dev', () => {
    const objs = render(withMesh('dev', { enabled: true }));
    expect(find(objs, 'PeerAuthentication', 'istio-system', 'default')).toBeDefined();
  });

  it.each(['edge', 'cluster'])('%s: sidecar mode, STRICT mTLS in the root namespace, REGISTRY_ONLY, TLS 1.3, ECDSA workload keys', (p) => {
    const objs = objects.get(p)!;
    expect((find(objs, 'PeerAuthentication', 'istio-system', 'default')!.spec as Spec).mtls).toEqual({ mode: 'STRICT' });
    const istiod = p === 'cluster' ? tfValues(dirs.get(p)!, 'istiod') : values(objs, 'istiod')!;
    expect(istiod.meshConfig.outboundTrafficPolicy).toEqual({ mode: 'REGISTRY_ONLY' });
    expect(istiod.meshConfig.meshMTLS).toEqual({ minProtocolVersion: 'TLSV1_3' });
    expect(istiod.meshConfig.defaultConfig.proxyMetadata).toEqual({ ECC_CURVE: 'P256', ECC_SIGNATURE_ALGORITHM: 'ECDSA' });
    expect(istiod.cni).toEqual({ enabled: true });
    expect(istiod.replicaCount).toBe(p === 'cluster' ? 3 : 1);
    expect(istiod.global.defaultPodDisruptionBudget.enabled).toBe(p === 'cluster');
    expect(istiod.env).toEqual({});
    for (const ns of ['sovra-messaging', 'sovra-system']) expect(find(objs, 'Namespace', undefined, ns)!.metadata.labels!['istio-injection']).toBe('enabled');
  });

  it('the mesh and the node agents stay out of the mesh; istio-cni and ztunnel run in kube-system', () => {
    const edge = objects.get('edge')!;
    const labels = find(edge, 'Namespace', undefined, 'istio-system')!.metadata.labels!;
    expect(labels['istio-injection']).toBeUndefined();
    expect(labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect((find(edge, 'HelmChart', 'kube-system', 'istio-cni')!.spec as Spec).targetNamespace).toBe('kube-system');
    expect(find(edge, 'HelmChart', 'kube-system', 'ztunnel')).toBeUndefined();
    expect((find(objects.get('ambient')!, 'HelmChart', 'kube-system', 'ztunnel')!.spec as Spec).targetNamespace).toBe('kube-system');
  });

  it.each(['edge', 'cluster', 'ambient'])('%s: a default-deny AuthorizationPolicy (empty spec) in every meshed namespace, and only there', (p) => {
    const deny = all(objects.get(p)!, 'AuthorizationPolicy').filter((o) => JSON.stringify(o.spec) === '{}');
    // Every namespace Sovra writes, but the mesh's own and those of privileged node agents (SPIRE's agents and CSI driver, the GPU Operator's operands), and monitoring's (outsideMesh).
    const nsObjects = all(objects.get(p)!, 'Namespace');
    const privileged = nsObjects.filter((o) => o.metadata.labels?.['pod-security.kubernetes.io/enforce'] === 'privileged').map((o) => o.metadata.name);
    expect(privileged).toContain('spire-agent');
    const namespaces = nsObjects.map((o) => o.metadata.name);
    expect(deny.map((o) => o.metadata.namespace).sort()).toEqual(namespaces.filter((n) => n !== 'istio-system' && !privileged.includes(n) && n !== 'sovra-monitoring').sort());
    expect(deny.map((o) => o.metadata.namespace)).toEqual(expect.arrayContaining(['cert-manager', 'cnpg-system', 'external-secrets', 'sovra-identity', 'sovra-messaging', 'sovra-secrets', 'sovra-system', 'spire-system']));
  });

  it('allow rules name the declared peers by mTLS identity on the target port: gateway to control plane, control plane to Keycloak', () => {
    const edge = objects.get('edge')!;
    expect(find(edge, 'AuthorizationPolicy', 'sovra-system', 'control-plane')!.spec).toEqual({
      selector: { matchLabels: { 'app.kubernetes.io/name': 'control-plane' } },
      action: 'ALLOW',
      rules: [
        { from: [{ source: { principals: ['cluster.local/ns/istio-system/sa/sovra-gateway'] } }], to: [{ operation: { ports: [String(CONTROL_PLANE_PORT)] } }] },
        // Prometheus (outside the mesh) scrapes /metrics on the API port: a named plaintext exception.
        { to: [{ operation: { ports: [String(CONTROL_PLANE_PORT)] } }] },
      ],
    });
    expect((find(edge, 'AuthorizationPolicy', 'sovra-identity', 'keycloak')!.spec as Spec).rules).toEqual([
      { from: [{ source: { principals: ['cluster.local/ns/sovra-system/sa/control-plane'] } }], to: [{ operation: { ports: ['8443'] } }] },
      // Grafana's OIDC login (8443) and Prometheus's scrape of the management port (9000), both from outside the mesh.
      { to: [{ operation: { ports: ['8443', '9000'] } }] },
    ]);
    // The database operator drives each PostgreSQL instance manager (a peer it adds once the clusters exist), beside the owner.
    // Rules with a principal (the plaintext rule of the metrics port, from Prometheus outside the mesh, has none).
    expect((find(edge, 'AuthorizationPolicy', 'sovra-system', 'control-plane-control-plane-db')!.spec as Spec).rules.filter((r: Spec) => r.from).map((r: Spec) => r.from[0].source.principals[0])).toEqual([
      'cluster.local/ns/cnpg-system/sa/cloudnative-pg',
      'cluster.local/ns/sovra-system/sa/control-plane',
    ]);
  });

  it('cluster: NATS routes come from a group without a service account, so they are allowed by namespace, marked, and the AC-4 claim is partial', () => {
    const nats = find(objects.get('cluster')!, 'AuthorizationPolicy', 'sovra-messaging', 'nats')!;
    expect((nats.spec as Spec).rules).toContainEqual({ from: [{ source: { namespaces: ['sovra-messaging'] } }], to: [{ operation: { ports: ['6222'] } }] });
    expect(nats.metadata.annotations!['sovra.dev/identity-fallback']).toContain('component "nats" (pods nats) declares no serviceAccount');
    const ac4 = requirement(dirs.get('cluster')!, 'ac-4');
    expect(ac4.description).toContain('allowed by namespace');
    expect(ac4.props.find((x) => x.name === 'implementation-status')!.value).toBe('partial');
    // Edge has no identity fallback; its AC-4 is partial for the ports that sources outside the mesh reach (the API server calling webhooks, SPIRE's agents).
    const edgeAc4 = requirement(dirs.get('edge')!, 'ac-4');
    expect(edgeAc4.description).not.toContain('allowed by namespace');
    // Prometheus (monitoring, outside the mesh) adds the SPIRE server's metrics ports 8082 and 9988.
    expect(edgeAc4.description).toContain('spire/server ports 8081, 8082, 9443, 9988 (component "monitoring" (pods prometheus, namespace sovra-monitoring); component "spire" (pods agent, namespace spire-agent); entity kube-apiserver)');
    expect(edgeAc4.props.find((x) => x.name === 'implementation-status')!.value).toBe('partial');
  });

  it('sidecars reach istiod (each meshed namespace), istiod admits them; no HBONE rules in sidecar mode', () => {
    const edge = objects.get('edge')!;
    const meshed = all(edge, 'AuthorizationPolicy').filter((o) => JSON.stringify(o.spec) === '{}').map((o) => o.metadata.namespace!).sort();
    for (const ns of meshed) {
      expect((find(edge, 'NetworkPolicy', ns, `istio-proxy-${ns}`)!.spec as Spec).egress[0].ports).toEqual([{ port: 15012, protocol: 'TCP' }]);
    }
    expect((find(edge, 'NetworkPolicy', 'istio-system', 'istiod-from-mesh')!.spec as Spec).ingress[0].from[0].namespaceSelector.matchExpressions[0].values).toEqual(meshed);
    expect(edge.filter((o) => o.metadata.name.endsWith('-hbone'))).toEqual([]);
  });

  it('ambient: namespaces labelled for ambient, ztunnel trusted by istiod, HBONE allowed for exactly the declared flows, probes from the SNAT address', () => {
    const amb = objects.get('ambient')!;
    expect(find(amb, 'Namespace', undefined, 'sovra-system')!.metadata.labels).toMatchObject({ 'istio.io/dataplane-mode': 'ambient' });
    expect(find(amb, 'Namespace', undefined, 'sovra-system')!.metadata.labels!['istio-injection']).toBeUndefined();
    const istiod = values(amb, 'istiod')!;
    expect(istiod.env).toEqual({ PILOT_ENABLE_AMBIENT: 'true' });
    expect(istiod.trustedZtunnelNamespace).toBe('kube-system');
    expect(values(amb, 'istio-cni')!.ambient).toEqual({ enabled: true });
    const cp = find(amb, 'NetworkPolicy', 'sovra-system', 'control-plane-hbone')!.spec as Spec;
    // HBONE from the gateway. Prometheus (monitoring, outside the mesh) is listed on 15008 too; its
    // plain scrape of 8080 is not admitted in ambient mode yet (open: the ambient derivation of sources
    // outside the mesh, reported to the lead with issue 15).
    expect(cp.ingress[0]!.from[0]).toEqual({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } }, podSelector: { matchLabels: { app: 'sovra-gateway', istio: 'sovra-gateway' } } });
    expect(cp.ingress[0]!.ports).toEqual([{ port: 15008, protocol: 'TCP' }]);
    expect(cp.egress[0].to).toContainEqual(expect.objectContaining({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'sovra-identity' } } }));
    expect((find(amb, 'CiliumClusterwideNetworkPolicy', undefined, 'istio-ambient-probes')!.spec as Spec).ingress).toEqual([{ fromCIDR: ['169.254.7.127/32'] }]);
    expect(amb.filter((o) => o.metadata.name.startsWith('istio-proxy-'))).toEqual([]);
    // ztunnel's own pods reach istiod; its policy lives where it runs.
    expect((find(amb, 'NetworkPolicy', 'kube-system', 'istio-ztunnel')!.spec as Spec).egress).toContainEqual({ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } }, podSelector: { matchLabels: { app: 'istiod', istio: 'pilot' } } }], ports: [{ port: 15012, protocol: 'TCP' }] });
  });

  it('the ingress gateway routes the profile hosts to the control plane Service with TLS 1.3 and a certificate from the platform issuer', () => {
    const edge = objects.get('edge')!;
    const gw = find(edge, 'Gateway', 'istio-system', 'sovra-gateway')!.spec as Spec;
    expect(gw.selector).toEqual({ istio: 'sovra-gateway' });
    expect(gw.servers[0]).toMatchObject({ port: { number: 443, protocol: 'HTTPS' }, hosts: ['api.sovra.internal'], tls: { mode: 'SIMPLE', credentialName: 'sovra-gateway-tls', minProtocolVersion: 'TLSV1_3' } });
    const vs = find(edge, 'VirtualService', 'istio-system', 'control-plane')!.spec as Spec;
    expect(vs.gateways).toEqual(['sovra-gateway']);
    expect(vs.hosts).toEqual(gw.servers[0].hosts);
    expect(vs.http[0].route).toEqual([{ destination: { host: 'control-plane.sovra-system.svc.cluster.local', port: { number: CONTROL_PLANE_PORT } } }]);
    const cert = find(edge, 'Certificate', 'istio-system', 'sovra-gateway-tls')!.spec as Spec;
    expect(cert).toMatchObject({ secretName: 'sovra-gateway-tls', dnsNames: ['api.sovra.internal'], issuerRef: { kind: 'ClusterIssuer', name: PLATFORM_ISSUER }, privateKey: { algorithm: 'ECDSA', size: 384 } });
    // The gateway's pods may reach the control plane (derived NetworkPolicy) and are reached from outside on 443 only.
    const np = find(edge, 'NetworkPolicy', 'sovra-system', 'control-plane')!.spec as Spec;
    expect(np.ingress).toContainEqual({ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } }, podSelector: { matchLabels: { app: 'sovra-gateway', istio: 'sovra-gateway' } } }], ports: [{ port: CONTROL_PLANE_PORT, protocol: 'TCP' }] });
    expect((find(edge, 'CiliumNetworkPolicy', 'istio-system', 'istio-gateway-ingress')!.spec as Spec).ingress).toEqual([{ fromEntities: ['world', 'remote-node'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }]);
  });

  it('the gateway Service: NodePort 30443 on K3s (no ServiceLB), LoadBalancer on RKE2; replicas and disruption budget per profile', () => {
    const edge = values(objects.get('edge')!, 'sovra-gateway')!;
    expect(edge.service).toEqual({ type: 'NodePort', ports: [{ name: 'https', port: 443, targetPort: 443, protocol: 'TCP', nodePort: 30443 }] });
    expect(edge.replicaCount).toBe(1);
    expect(edge.podDisruptionBudget).toEqual({});
    const cluster = tfValues(dirs.get('cluster')!, 'sovra-gateway');
    expect(cluster.service.type).toBe('LoadBalancer');
    expect(cluster.replicaCount).toBe(3);
    expect(cluster.podDisruptionBudget).toEqual({ minAvailable: 2 });
  });

  it('the gateway certificate Secret has its producer (secret closure over the mesh component)', () => {
    const { platform } = buildPlatform(loadProfile('edge'));
    const istio = platform.component('istio')!;
    const closure = secretClosure(new Map([[istio, renderObjects(platform).get(istio)!]]), manifestFile);
    expect(closure.producers).toContainEqual(expect.objectContaining({ namespace: 'istio-system', name: 'sovra-gateway-tls' }));
    expect(istio.secretsConsumed.map((s) => s.name)).toEqual(['sovra-gateway-tls']);
  });

  it('states SC-8, SC-8(1), AC-4, SC-7, IA-3, IA-9, SC-23 with evidence the synth checked, and the mesh TLS in the CBOM', () => {
    const def = readJson<Spec>(dirs.get('edge')!, 'oscal/component-definitions/istio.json');
    const ids = def['component-definition'].components[0]['control-implementations'][0]['implemented-requirements'].map((r: Spec) => r['control-id']);
    expect(ids).toEqual(expect.arrayContaining(['ac-4', 'ac-6', 'ia-3', 'ia-9', 'sc-7', 'sc-8', 'sc-8.1', 'sc-23']));
    const cbom = JSON.stringify(readJson(dirs.get('edge')!, 'cbom.cdx.json'));
    expect(cbom).toContain('TLS 1.3 (Istio mesh mTLS)');
    expect(cbom).toContain('Istio workload private key');
    expect(requirement(dirs.get('ambient')!, 'sc-7').props.find((x) => x.name === 'implementation-status')!.value).toBe('partial');
  });

  it('cluster: every chart is a helm_release and the mesh objects are Terraform manifests with distinct addresses, after their namespaces', () => {
    const tf = terraformResources(dirs.get('cluster')!)!;
    expect(Object.keys(tf.helm_release!)).toEqual(expect.arrayContaining(['istio-base', 'istiod', 'istio-cni', 'sovra-gateway']));
    expect(Object.keys(tf.kubernetes_manifest!)).toEqual(expect.arrayContaining(['istio_AuthorizationPolicy_default_deny_sovra_messaging', 'istio_AuthorizationPolicy_default_deny_sovra_system', 'istio_AuthorizationPolicy_control_plane', 'istio_AuthorizationPolicy_nats']));
    // A policy in another component's namespace waits for that Namespace (and the CRDs of the releases).
    expect(tf.kubernetes_manifest!.istio_AuthorizationPolicy_default_deny_sovra_system!.depends_on).toEqual(expect.arrayContaining(['${kubernetes_manifest.control_plane_Namespace_sovra_system}', '${helm_release.istio-base}']));
  });
});

describe('components the platform adds later', () => {
  it('a test-only component gets injection, default deny and allow rules from its peers, with no other file edited', () => {
    const objs = render(loadProfile('edge'), [...COMPONENTS, testWorkload('reporter', 'sovra-reporter', [NATS_CLIENT, CP_HTTP]), testWorkload('batch', 'sovra-batch', [{ component: 'reporter', pods: 'reporter', port: 'http' }], { serviceAccount: false })]);
    expect(find(objs, 'Namespace', undefined, 'sovra-reporter')!.metadata.labels!['istio-injection']).toBe('enabled');
    expect(find(objs, 'AuthorizationPolicy', 'sovra-reporter', 'default-deny-sovra-reporter')!.spec).toEqual({});
    expect(find(objs, 'AuthorizationPolicy', 'sovra-batch', 'default-deny-sovra-batch')!.spec).toEqual({});
    // The reporter's callers: batch has no service account, so it is named by namespace.
    expect((find(objs, 'AuthorizationPolicy', 'sovra-reporter', 'reporter')!.spec as Spec).rules).toEqual([{ from: [{ source: { namespaces: ['sovra-batch'] } }], to: [{ operation: { ports: ['9000'] } }] }]);
    // The reporter is a new source for NATS and the control plane, beside their existing peers, sorted.
    expect((find(objs, 'AuthorizationPolicy', 'sovra-messaging', 'nats')!.spec as Spec).rules.filter((r: Spec) => r.from).map((r: Spec) => r.from[0].source.principals[0])).toEqual(['cluster.local/ns/sovra-reporter/sa/reporter']);
    // Callers allowed the same ports share one rule (sorted), which keeps a policy within the CRD's 512 rules however many callers there are.
    // (Prometheus, outside the mesh, scrapes 8080 as a plaintext exception: a rule without a source.)
    expect((find(objs, 'AuthorizationPolicy', 'sovra-system', 'control-plane')!.spec as Spec).rules.filter((r: Spec) => r.from)).toEqual([
      { from: [{ source: { principals: ['cluster.local/ns/istio-system/sa/sovra-gateway', 'cluster.local/ns/sovra-reporter/sa/reporter'] } }], to: [{ operation: { ports: ['8080'] } }] },
    ]);
    expect(find(objs, 'NetworkPolicy', 'sovra-reporter', 'istio-proxy-sovra-reporter')).toBeDefined();
  });

  it('metrics scrapers are allowed to every metrics endpoint in the mesh, by identity', () => {
    class Scraper extends Component {
      constructor(scope: Construct, id: string, props: ComponentProps) {
        super(scope, id, props, { title: 'Scraper', description: 'Scrapes metrics.', layer: 'observability', namespace: 'sovra-scraper', version: '1.0.0' });
        this.addPods({ name: 'scraper', labels: { app: 'scraper' }, serviceAccount: 'scraper' }).scrapeMetrics();
      }
    }
    const objs = render(loadProfile('edge'), [...COMPONENTS, { id: 'scraper', layer: 'observability', create: (s, id, p) => new Scraper(s, id, p) }]);
    expect((find(objs, 'AuthorizationPolicy', 'sovra-system', 'control-plane')!.spec as Spec).rules[0].from[0].source.principals).toContain('cluster.local/ns/sovra-scraper/sa/scraper');
    // istiod's metrics are not in a meshed namespace: no AuthorizationPolicy there.
    expect(all(objs, 'AuthorizationPolicy').filter((o) => o.metadata.namespace === 'istio-system')).toEqual([]);
  });

  it('a mesh pod may reach named FQDNs (a ServiceEntry each); an entity without names fails under REGISTRY_ONLY, naming the component', () => {
    const withNames = render(loadProfile('edge'), [...COMPONENTS, testWorkload('fetcher', 'sovra-fetcher', [{ entity: 'world', ports: [{ port: 443 }], fqdns: ['models.example.org'] }])]);
    expect((find(withNames, 'ServiceEntry', 'sovra-fetcher', 'fetcher-egress')!.spec as Spec)).toEqual({ hosts: ['models.example.org'], ports: [{ number: 443, name: 'tcp-443', protocol: 'TCP' }], location: 'MESH_EXTERNAL', resolution: 'DNS', exportTo: ['.'] });
    const e = failure(() => render(loadProfile('edge'), [...COMPONENTS, testWorkload('roamer', 'sovra-roamer', [{ entity: 'world', ports: [{ port: 443 }] }])]));
    expect(e).toContain('component "roamer" (pods roamer) is in the mesh and connects to entity world (roamer needs it), which the mesh\'s outbound policy REGISTRY_ONLY blocks');
    // The API server is a Service the mesh knows.
    expect(() => render(loadProfile('edge'), [...COMPONENTS, testWorkload('watcher', 'sovra-watcher', [{ entity: 'kube-apiserver', ports: [{ port: 6443 }] }])])).not.toThrow();
  });

  it('a privileged node agent stays out of the mesh; the port it reaches in the mesh is a named plaintext exception, allowed without a principal', () => {
    const agent = testWorkload('agent', 'sovra-agent', [NATS_CLIENT], { podSecurity: { level: 'privileged', reason: 'it programs the node network' } });
    const withAgent = render(loadProfile('edge'), [...COMPONENTS, agent]);
    const pa = find(withAgent, 'PeerAuthentication', 'sovra-messaging', 'nats-plaintext')!;
    expect(pa.spec).toEqual({ selector: { matchLabels: { 'app.kubernetes.io/instance': 'nats', 'app.kubernetes.io/name': 'nats' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { '4222': { mode: 'PERMISSIVE' } } });
    expect(pa.metadata.annotations!['sovra.dev/reason']).toContain('4222 from component "agent" (pods agent, namespace sovra-agent): agent needs it');
    const nats = find(withAgent, 'AuthorizationPolicy', 'sovra-messaging', 'nats')!;
    expect((nats.spec as Spec).rules).toEqual([{ to: [{ operation: { ports: ['4222'] } }] }]);
    expect(nats.metadata.annotations!['sovra.dev/plaintext-ports']).toBe('4222');
    // The NetworkPolicy still admits only the declared source.
    expect((find(withAgent, 'NetworkPolicy', 'sovra-messaging', 'nats')!.spec as Spec).ingress).toContainEqual({ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'sovra-agent' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'agent' } } }], ports: [{ port: 4222, protocol: 'TCP' }] });
    // Without the agent, NATS accepts no plaintext.
    expect(find(render(loadProfile('edge')), 'PeerAuthentication', 'sovra-messaging', 'nats-plaintext')).toBeUndefined();
    const quiet = testWorkload('agent', 'sovra-agent', [], { podSecurity: { level: 'privileged', reason: 'it programs the node network' } });
    const objs = render(loadProfile('edge'), [...COMPONENTS, quiet]);
    expect(find(objs, 'Namespace', undefined, 'sovra-agent')!.metadata.labels!['istio-injection']).toBeUndefined();
    expect(find(objs, 'AuthorizationPolicy', 'sovra-agent', 'default-deny-sovra-agent')).toBeUndefined();
  });

  it('outsideMesh keeps a named component out (no label, no policies); its connections into the mesh become named exceptions; a component the profile lacks fails', () => {
    // NATS outside: its client, the control plane, is in the mesh (a mesh client may call a plaintext server).
    const objs = render(withMesh('edge', { outsideMesh: [{ component: 'nats', reason: 'a test keeps it out of the mesh' }] }));
    expect(find(objs, 'Namespace', undefined, 'sovra-messaging')!.metadata.labels!['istio-injection']).toBeUndefined();
    expect(all(objs, 'AuthorizationPolicy').filter((o) => o.metadata.namespace === 'sovra-messaging')).toEqual([]);
    expect(all(objs, 'AuthorizationPolicy').map((o) => o.metadata.name)).toContain('default-deny-sovra-system');
    // The control plane outside: Keycloak, in the mesh, accepts it on 8443 only as a named plaintext exception (its own TLS remains).
    const out = render(withMesh('edge', { outsideMesh: [{ component: 'control-plane', reason: 'a test keeps it out of the mesh' }] }));
    // 8443 (the control plane here, Grafana on every profile) and 9000 (Prometheus's scrape of the management port): monitoring is outside the mesh too.
    expect((find(out, 'PeerAuthentication', 'sovra-identity', 'keycloak-plaintext')!.spec as Spec).portLevelMtls).toEqual({ '8443': { mode: 'PERMISSIVE' }, '9000': { mode: 'PERMISSIVE' } });
    expect(find(out, 'Namespace', undefined, 'sovra-system')!.metadata.labels!['istio-injection']).toBeUndefined();
    expect(failure(() => render(withMesh('edge', { outsideMesh: [{ component: 'no-such-component', reason: 'a typo' }] })))).toContain('components.istio.outsideMesh names component "no-such-component", which this profile does not install');
  });
});

describe('Cilium beside the mesh', () => {
  it('sets socket LB to the host namespace and a non-exclusive CNI only with the mesh on, and claims them', () => {
    for (const [profile, mesh] of [[loadProfile('edge'), true], [withMesh('edge', { enabled: false }), false]] as const) {
      const { platform } = buildPlatform(profile);
      const cilium = platform.component('cilium')!;
      const v = cilium.charts[0]!.values as Spec;
      expect(v.socketLB).toEqual(mesh ? { hostNamespaceOnly: true } : undefined);
      expect(v.cni).toEqual({ confPath: '/etc/cni/net.d', binPath: '/opt/cni/bin', ...(mesh ? { exclusive: false } : {}) });
      expect(cilium.claims.some((c) => c.control === 'ac-4' && c.evidence.some((e) => e.path === 'socketLB.hostNamespaceOnly'))).toBe(mesh);
    }
  });

  it('installs with HelmChart bootstrap on K3s only (no pod network before it); RKE2 does not get it', () => {
    expect((find(render(loadProfile('dev')), 'HelmChart', 'kube-system', 'cilium')!.spec as Spec).bootstrap).toBe(true);
    expect((find(render(loadProfile('edge')), 'HelmChart', 'kube-system', 'cilium')!.spec as Spec).bootstrap).toBe(true);
    const rke2 = { ...loadProfile('cluster'), deploy: 'manifests' as const };
    expect((find(render(rke2), 'HelmChart', 'kube-system', 'cilium')!.spec as Spec).bootstrap).toBeUndefined();
    // Nothing else bootstraps: the mesh's charts wait for the pod network.
    expect(all(render(loadProfile('edge')), 'HelmChart').filter((h) => (h.spec as Spec).bootstrap).map((h) => h.metadata.name)).toEqual(['cilium']);
  });
});

/** The message of the SovraError `fn` throws. */
function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(isSovraError(e), String(e)).toBe(true);
    return (e as Error).message;
  }
  throw new Error('expected a failure');
}

/** Values of a helm_release in a Terraform output. */
function tfValues(dir: string, release: string): Spec {
  return YAML.parse((terraformResources(dir)!.helm_release![release]!.values as string[])[0]!) as Spec;
}

/** The implemented requirement of `control` in the Istio component definition of an output. */
function requirement(dir: string, control: string): { description: string; props: Array<{ name: string; value: string }> } {
  const def = readJson<Spec>(dir, 'oscal/component-definitions/istio.json');
  return def['component-definition'].components[0]['control-implementations'][0]['implemented-requirements'].find((r: Spec) => r['control-id'] === control);
}
