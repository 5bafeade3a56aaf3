/**
 * The control plane's wiring on the edge profile: ingress from the mesh
 * gateway only, egress exactly to its declared peers, and its upstream
 * tiers: without component `vllm` none (the local model serves), with it
 * (a stand-in component here, as the vllm component declares its pods) the
 * vLLM URL and a peer on its `http` port, and a hosted upstream with its
 * host name peer, its key Secret from OpenBao mounted as a file, and the
 * key file variable.
 */
import type { Construct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_PROFILES } from '../../../profiles/builtin/index.js';
import { validateProfile } from '../../../profiles/validate.js';
import { removeDir, synthProfile, tempDir, writtenObjects, type K8sObject } from '../../../test/support/synth-output.js';
import { Component, type ComponentProps } from '../../kit/component.js';
import type { ComponentDefinition } from '../../kit/definition.js';
import { NAMESPACES, VLLM_API } from '../../kit/shared-names.js';
import { COMPONENTS } from '../../registry.js';

/** A stand-in for the vllm component: its pods and port as VLLM_API names them, nothing else. */
class VllmStandIn extends Component {
  constructor(scope: Construct, id: string, props: ComponentProps) {
    super(scope, id, props, { title: 'vLLM (test stand-in)', description: 'Pods of the vllm component as the control plane sees them.', layer: 'ai-runtime', namespace: NAMESPACES.inference, version: '0.0.0' });
    this.addPods({ name: VLLM_API.pods, labels: { 'app.kubernetes.io/name': 'vllm' }, ports: { [VLLM_API.portName]: { port: VLLM_API.port } } });
  }
}
const VLLM: ComponentDefinition = { id: VLLM_API.component, layer: 'ai-runtime', create: (s, id, p) => new VllmStandIn(s, id, p) };

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let root: string;
const out: Record<'plain' | 'wired', Obj[]> = { plain: [], wired: [] };
beforeAll(async () => {
  root = tempDir();
  const edge = structuredClone(BUILTIN_PROFILES.edge);
  // Plain: edge without GPU pools, so without the vllm component.
  await synthProfile('edge', `${root}/plain`, { profile: validateProfile({ ...edge, gpu: { ...edge.gpu, pools: [] } }, 'test (edge without GPU pools)') });
  const hosted = { name: 'hosted', url: 'https://api.example.org/v1', apiKey: { openbaoPath: 'control-plane/upstream-hosted', property: 'api-key' } };
  const profile = validateProfile({ ...edge, components: { ...edge.components, 'control-plane': { ...edge.components['control-plane'], hostedUpstreams: [hosted] } } }, 'test');
  // Wired: the real vllm component of the edge profile, and a hosted upstream.
  await synthProfile('edge', `${root}/wired`, { profile });
  for (const k of ['plain', 'wired'] as const) out[k] = writtenObjects(`${root}/${k}`).map((o) => o.object as K8sObject as Obj);
});
afterAll(() => removeDir(root));

const find = (k: 'plain' | 'wired', kind: string, name: string, ns = 'sovra-system') => out[k].find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === ns)!;
const env = (k: 'plain' | 'wired') => new Map((find(k, 'Deployment', 'control-plane').spec.template.spec.containers[0].env as Obj[]).map((e) => [e.name, e]));

describe('edge', () => {
  it('takes ingress from the mesh gateway and the metrics scraper only, and reaches DNS, Keycloak and its database only', () => {
    const np = find('plain', 'NetworkPolicy', 'control-plane').spec;
    // The mesh gateway (API) and Prometheus (metrics scrape, same port), nothing else.
    expect(np.ingress).toHaveLength(2);
    expect(np.ingress).toContainEqual({ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } }, podSelector: { matchLabels: { app: 'sovra-gateway', istio: 'sovra-gateway' } } }], ports: [{ port: 8080, protocol: 'TCP' }] });
    expect(np.ingress.map((r: Obj) => r.from[0].namespaceSelector.matchLabels['kubernetes.io/metadata.name']).sort()).toEqual(['istio-system', 'sovra-monitoring']);
    expect(np.egress.map((r: Obj) => r.ports.map((p: Obj) => p.port))).toEqual([[53, 53], [8443], [5432]]);
    const ap = find('plain', 'AuthorizationPolicy', 'control-plane');
    // By identity only the gateway; Prometheus (outside the mesh) scrapes the same port as a named plaintext exception, the NetworkPolicy limiting it to Prometheus.
    expect(ap.spec.rules.filter((r: Obj) => r.from)).toEqual([{ from: [{ source: { principals: ['cluster.local/ns/istio-system/sa/sovra-gateway'] } }], to: [{ operation: { ports: ['8080'] } }] }]);
  });

  it('without vllm and hosted upstreams: no upstream tier, the local model serves, the database is verified', () => {
    const e = env('plain');
    expect(e.has('SOVRA_UPSTREAM_URL')).toBe(false);
    expect(e.has('SOVRA_UPSTREAM_API_KEY_FILE')).toBe(false);
    expect(e.get('SOVRA_LOCAL_MODEL')).toBeDefined();
    expect(e.get('PGSSLMODE')).toEqual({ name: 'PGSSLMODE', value: 'verify-full' });
  });

  it('with vllm and a hosted upstream: both tiers in order, a peer for each, the key as a file from OpenBao', () => {
    const e = env('wired');
    expect(e.get('SOVRA_UPSTREAM_URL')!.value).toBe(`${VLLM_API.url},https://api.example.org/v1`);
    expect(e.get('SOVRA_UPSTREAM_API_KEY_FILE')!.value).toBe(',/etc/sovra/upstream-keys/hosted/api-key');
    const pod = find('wired', 'Deployment', 'control-plane').spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'upstream-key-hosted', secret: { secretName: 'control-plane-upstream-hosted', defaultMode: 0o440, items: [{ key: 'api-key', path: 'api-key' }] } });
    expect(JSON.stringify(pod.containers[0].args)).not.toContain('key');
    const es = find('wired', 'ExternalSecret', 'control-plane-upstream-hosted');
    expect(es.spec.data).toEqual([{ secretKey: 'api-key', remoteRef: { key: 'control-plane/upstream-hosted', property: 'api-key' } }]);
    const egress = find('wired', 'NetworkPolicy', 'control-plane').spec.egress as Obj[];
    expect(egress).toContainEqual({ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': NAMESPACES.inference } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'vllm' } } }], ports: [{ port: VLLM_API.port, protocol: 'TCP' }] });
    const cnp = out.wired.find((o) => o.kind === 'CiliumNetworkPolicy' && o.metadata.namespace === 'sovra-system' && JSON.stringify(o).includes('api.example.org'));
    expect(cnp).toBeDefined();
    // vLLM's side derives its ingress from the same declaration.
    const vllm = find('wired', 'NetworkPolicy', 'vllm', NAMESPACES.inference);
    expect(JSON.stringify(vllm.spec.ingress)).toContain('"app.kubernetes.io/name":"control-plane"');
  });
});
