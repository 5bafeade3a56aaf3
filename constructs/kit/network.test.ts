/**
 * A component that exists only in this test, added to the registry and
 * nowhere else: it gets its Namespace, allow rules on both sides of every
 * peer it declares (and a CiliumNetworkPolicy for an entity peer), metrics
 * rules toward a scraper, an SBOM entry and an OSCAL component definition.
 * No other file of the repository knows it.
 */
import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSovraError } from '../../core/errors.js';
import { loadProfile } from '../../profiles/load.js';
import { buildPlatform } from '../../synth/synth.js';
import { COMPONENTS } from '../registry.js';
import { listFiles, readJson, removeDir, synthProfile, tempDir, writtenObjects, type K8sObject } from '../../test/support/synth-output.js';
import { onObject } from './claims.js';
import { Component, type ComponentProps } from './component.js';
import type { ComponentDefinition } from './definition.js';
import { HardenedWorkload } from './workload.js';

/** A worker that talks to NATS and the API server, exposes metrics, and reads one Secret. */
class Worker extends Component {
  constructor(scope: Construct, id: string, props: ComponentProps) {
    super(scope, id, props, {
      title: 'Worker',
      description: 'A component written by a test.',
      layer: 'data',
      namespace: 'sovra-worker',
      version: '1.0.0',
      namespaceLabels: { 'example.org/tier': 'batch' },
    });
    const image = this.addImage({ registry: 'ghcr.io', repository: 'example/worker', tag: '2.0.0', license: 'MIT' });
    const w = new HardenedWorkload(this, 'Workload', {
      name: 'worker',
      image,
      replicas: 1,
      ports: [{ name: 'metrics', port: 9100 }, { name: 'webhook', port: 9443 }],
      resources: { cpu: '100m', memory: '64Mi' },
      secretEnv: [{ name: 'TOKEN', secret: 'worker-token', key: 'token', purpose: 'A token the worker presents.' }],
    });
    w.pods.connectsTo({ component: 'nats', pods: 'nats', port: 'client' }, 'the worker consumes platform events');
    w.pods.connectsTo({ entity: 'kube-apiserver', ports: [{ port: 6443 }] }, 'the worker watches ConfigMaps');
    w.pods.acceptsFrom('kube-apiserver', 'webhook', 'the API server calls the worker\'s admission webhook');
    this.addMetrics({ pods: w.pods, port: 'metrics' });
    this.producesSecret({ name: 'worker-token', keys: ['token'], kind: 'supplied-at-install', by: 'the site', purpose: 'A token the worker presents.' });
    this.claim({ control: 'sc-7', statement: 'The worker reaches only NATS and the API server.', evidence: [onObject(w.pods.networkPolicy, 'spec.policyTypes', { equals: ['Ingress', 'Egress'] })] });
  }
}

/** A scraper of every metrics endpoint. */
class Scraper extends Component {
  constructor(scope: Construct, id: string, props: ComponentProps) {
    super(scope, id, props, { title: 'Scraper', description: 'Scrapes metrics.', layer: 'observability', namespace: 'sovra-scraper', version: '1.0.0' });
    this.addPods({ name: 'scraper', labels: { 'app.kubernetes.io/name': 'scraper' }, ports: {} }).scrapeMetrics();
    new ApiObject(this, 'Marker', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'scraper' }, data: { ok: 'yes' } });
  }
}

const WORKER: ComponentDefinition = { id: 'worker', layer: 'data', create: (s, id, p) => new Worker(s, id, p) };
const SCRAPER: ComponentDefinition = { id: 'scraper', layer: 'observability', create: (s, id, p) => new Scraper(s, id, p) };

let root: string;
let out: string;
let objects: K8sObject[];
const find = (kind: string, ns: string | undefined, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === ns);

beforeAll(async () => {
  root = tempDir();
  out = `${root}/edge`;
  await synthProfile('edge', out, { components: [...COMPONENTS, WORKER, SCRAPER] });
  objects = writtenObjects(out).map((o) => o.object);
});
afterAll(() => removeDir(root));

describe('a component added only to the registry', () => {
  it('gets its Namespace with restricted Pod Security and the labels it asked for', () => {
    expect(find('Namespace', undefined, 'sovra-worker')?.metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted', 'example.org/tier': 'batch', 'app.kubernetes.io/component': 'worker' });
  });

  it('gets allow rules on both sides of its peer, DNS, and nothing else', () => {
    const own = find('NetworkPolicy', 'sovra-worker', 'worker')!.spec as { egress: Array<{ to: unknown[]; ports: unknown[] }>; ingress: unknown[] };
    expect(own.egress).toContainEqual({
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'sovra-messaging' } }, podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'nats', 'app.kubernetes.io/name': 'nats' } } }],
      ports: [{ port: 4222, protocol: 'TCP' }],
    });
    expect(own.egress).toHaveLength(2); // DNS and NATS
    const nats = find('NetworkPolicy', 'sovra-messaging', 'nats')!.spec as { ingress: unknown[] };
    expect(nats.ingress).toContainEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'sovra-worker' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'worker' } } }],
      ports: [{ port: 4222, protocol: 'TCP' }],
    });
  });

  it('reaches the API server through a CiliumNetworkPolicy, which NetworkPolicy cannot express', () => {
    const cnp = find('CiliumNetworkPolicy', 'sovra-worker', 'worker')!.spec as Record<string, unknown>;
    expect(cnp.endpointSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'worker' } });
    expect(cnp.egress).toEqual([{ toEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '6443', protocol: 'TCP' }] }] }]);
    expect(cnp.ingress).toEqual([{ fromEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '9443', protocol: 'TCP' }] }] }]);
    expect(cnp.description).toContain('the worker watches ConfigMaps');
    expect(cnp.description).toContain("the API server calls the worker's admission webhook");
  });

  it('lets the scraper reach every metrics endpoint, the control plane and the worker alike', () => {
    const scraper = find('NetworkPolicy', 'sovra-scraper', 'scraper')!.spec as { egress: Array<{ to: Array<{ podSelector: { matchLabels: Record<string, string> } }>; ports: Array<{ port: number }> }> };
    const targets = scraper.egress.map((r) => `${r.to[0]!.podSelector.matchLabels['app.kubernetes.io/name']}:${r.ports.map((p) => p.port).join(',')}`);
    expect(targets).toEqual(expect.arrayContaining(['worker:9100', 'control-plane:8080']));
    const worker = find('NetworkPolicy', 'sovra-worker', 'worker')!.spec as { ingress: unknown[] };
    expect(worker.ingress).toEqual([
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'sovra-scraper' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'scraper' } } }], ports: [{ port: 9100, protocol: 'TCP' }] },
    ]);
  });

  it('is in the SBOM with its image and dependencies, and has an OSCAL component definition', () => {
    const sbom = readJson<{ components: Array<{ 'bom-ref': string; properties?: Array<{ name: string; value: string }> }>; dependencies: Array<{ ref: string; dependsOn?: string[] }> }>(out, 'sbom.cdx.json');
    const image = sbom.components.find((c) => c['bom-ref'] === 'image:ghcr.io/example/worker:2.0.0')!;
    expect(image.properties).toContainEqual({ name: 'sovra:image:locked', value: 'false' });
    expect(sbom.dependencies.find((d) => d.ref === 'component:worker')!.dependsOn).toEqual(expect.arrayContaining(['component:nats', 'image:ghcr.io/example/worker:2.0.0']));
    expect(listFiles(out)).toContain('oscal/component-definitions/worker.json');
    expect(JSON.stringify(readJson(out, 'oscal/component-definitions/worker.json'))).toContain('The worker reaches only NATS and the API server.');
  });

  it('declares the Secret its workload reads', () => {
    const { platform } = buildPlatform(loadProfile('edge'), { components: [...COMPONENTS, WORKER] });
    expect(platform.component('worker')!.secretsConsumed).toEqual([{ namespace: 'sovra-worker', name: 'worker-token', keys: ['token'], purpose: 'A token the worker presents.' }]);
  });
});

describe('peers that do not exist', () => {
  const failure = async (def: ComponentDefinition): Promise<string> => {
    const dir = `${root}/bad-${def.id}`;
    const e = await synthProfile('dev', dir, { components: [...COMPONENTS, def] }).catch((x: unknown) => x);
    expect(isSovraError(e), String(e)).toBe(true);
    expect(listFiles(root)).not.toContain(`bad-${def.id}`);
    return (e as Error).message;
  };

  it('a peer component the profile does not install fails the synth, naming both and the reason', async () => {
    class Lonely extends Component {
      constructor(scope: Construct, id: string, props: ComponentProps) {
        super(scope, id, props, { title: 'Lonely', description: 'Needs a database.', layer: 'data', namespace: 'sovra-lonely', version: '1' });
        this.addPods({ name: 'lonely', labels: { app: 'lonely' } }).connectsTo({ component: 'postgres', pods: 'primary', port: 'sql' }, 'it stores rows');
      }
    }
    const m = await failure({ id: 'lonely', layer: 'data', create: (s, id, p) => new Lonely(s, id, p) });
    expect(m).toContain('component "lonely" (pods lonely) connects to pods "primary" of component "postgres", which this profile does not install (it stores rows)');
  });

  it('a port the peer does not serve fails the synth, naming the ports it does serve', async () => {
    class Typo extends Component {
      constructor(scope: Construct, id: string, props: ComponentProps) {
        super(scope, id, props, { title: 'Typo', description: 'Wrong port.', layer: 'data', namespace: 'sovra-typo', version: '1' });
        this.addPods({ name: 'typo', labels: { app: 'typo' } }).connectsTo({ component: 'nats', pods: 'nats', port: 'clients' }, 'events');
      }
    }
    const m = await failure({ id: 'typo', layer: 'data', create: (s, id, p) => new Typo(s, id, p) });
    expect(m).toContain('connects to port "clients" of nats/nats, which serves client, cluster, monitor');
  });
});
