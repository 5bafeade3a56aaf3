/**
 * SPIRE per profile, through the real synth: server replicas and datastore,
 * trust domain and CA settings, the namespaces and their Pod Security, the
 * allow rules derived from its peers, the claims and CBOM entries, the
 * Secrets it reads and who produces them, and a ClusterSPIFFEID for every
 * pod group of the platform, including one of a component that only this
 * test knows.
 */
import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSovraError } from '../../../core/errors.js';
import { secretClosure } from '../../../output/secret-closure.js';
import { loadProfile } from '../../../profiles/load.js';
import type { Profile } from '../../../profiles/profile.generated.js';
import { buildPlatform, manifestFile, renderObjects } from '../../../synth/synth.js';
import { PROFILES, readJson, removeDir, synthAll, synthProfile, tempDir, writtenObjects, type K8sObject, type ProfileName } from '../../../test/support/synth-output.js';
import { Component, type ComponentProps } from '../../kit/component.js';
import type { ComponentDefinition } from '../../kit/definition.js';
import { NAMESPACES } from '../../kit/shared-names.js';
import { COMPONENTS } from '../../registry.js';
import { SPIFFE_ID_TEMPLATE } from './identities.js';
import { AGENT_NAMESPACE, CLASS_NAME, Spire, SPIRE_RELEASE } from './spire.js';

let root: string;
let dirs: Record<ProfileName, string>;
// Every profile writes manifests/ (cluster also repeats them as Terraform kubernetes_manifest resources).
const objectsOf = (p: ProfileName): K8sObject[] => writtenObjects(dirs[p]).filter((o) => o.where.startsWith('manifests/')).map((o) => o.object);
const find = (p: ProfileName, kind: string, name: string, ns?: string) => objectsOf(p).find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === ns);
const values = (p: ProfileName) => YAML.parse((find(p, 'HelmChart', SPIRE_RELEASE, 'kube-system')?.spec as { valuesContent: string } | undefined)?.valuesContent ?? terraformValues(p)) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function terraformValues(p: ProfileName): string {
  const tf = readJson<{ resource: { helm_release: Record<string, { values: string[] }> } }>(dirs[p], 'terraform/cdk.tf.json');
  return tf.resource.helm_release[SPIRE_RELEASE]!.values[0]!;
}

beforeAll(async () => {
  ({ root, dirs } = await synthAll());
});
afterAll(() => removeDir(root));

describe.each(PROFILES)('profile %s', (profile) => {
  it('runs one server with SQLite where the profile has one stateful replica, three over a 3-instance PostgreSQL cluster on cluster', () => {
    const server = values(profile)['spire-server'];
    if (profile === 'cluster') {
      expect(server.replicaCount).toBe(3);
      expect(server.dataStore.sql).toMatchObject({ databaseType: 'postgres', host: `spire-db-rw.${NAMESPACES.spire}.svc`, databaseName: 'spire', username: 'spire', externalSecret: { enabled: true, name: 'spire-db-app', key: 'password' } });
      expect(server.dataStore.sql.options).toEqual([{ sslmode: 'verify-full' }, { sslrootcert: '/run/sovra/trust/ca.crt' }]);
      expect((find(profile, 'Cluster', 'spire-db', NAMESPACES.spire)?.spec as { instances: number }).instances).toBe(3);
      expect((find(profile, 'PodDisruptionBudget', 'spire-server', NAMESPACES.spire)?.spec as { minAvailable: number }).minAvailable).toBe(2);
    } else {
      expect(server.replicaCount).toBe(1);
      expect(server.dataStore.sql).toEqual({ databaseType: 'sqlite3' });
      expect(find(profile, 'Cluster', 'spire-db', NAMESPACES.spire)).toBeUndefined();
      expect(find(profile, 'PodDisruptionBudget', 'spire-server', NAMESPACES.spire)).toBeUndefined();
    }
  });

  it('sets the trust domain and the CA and SVID settings of the profile', () => {
    const v = values(profile);
    const settings = loadProfile(profile).components.spire;
    expect(v.global.spire.trustDomain).toBe(`${profile}.sovra.local`);
    expect(v['spire-server']).toMatchObject({ caKeyType: settings.caKeyType, caTTL: '24h', defaultX509SvidTTL: '1h', defaultJwtSvidTTL: '5m', caSubject: { commonName: `${profile}.sovra.local` } });
    expect(settings.caKeyType).toBe(profile === 'cluster' ? 'ec-p384' : 'ec-p256');
  });

  it('keeps the server namespace restricted and gives the agents a privileged namespace with its reason', () => {
    expect(find(profile, 'Namespace', NAMESPACES.spire)?.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const agents = find(profile, 'Namespace', AGENT_NAMESPACE)!;
    expect(agents.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('privileged');
    expect(agents.metadata.annotations?.['sovra.dev/pod-security-reason']).toContain('host PID namespace');
    expect(values(profile).global.spire.namespaces).toEqual({ create: false, server: { name: NAMESPACES.spire }, system: { name: AGENT_NAMESPACE } });
  });

  it('derives allow rules from its peers: agents to the server API, the server to its database and the API server, agents to their kubelet', () => {
    const agentPolicy = find(profile, 'NetworkPolicy', 'spire-agent', AGENT_NAMESPACE)!.spec as { egress: Array<{ to: Array<{ namespaceSelector?: unknown }>; ports: Array<{ port: number }> }> };
    expect(agentPolicy.egress.find((r) => r.ports.some((p) => p.port === 8081))?.to[0]?.namespaceSelector).toEqual({ matchLabels: { 'kubernetes.io/metadata.name': NAMESPACES.spire } });
    const serverPolicy = find(profile, 'NetworkPolicy', 'spire-server', NAMESPACES.spire)!.spec as { ingress: Array<{ ports: Array<{ port: number }> }>; egress: Array<{ ports: Array<{ port: number }> }> };
    expect(serverPolicy.ingress.flatMap((r) => r.ports.map((p) => p.port))).toContain(8081);
    expect(serverPolicy.egress.some((r) => r.ports.some((p) => p.port === 5432))).toBe(profile === 'cluster');
    expect((find(profile, 'CiliumNetworkPolicy', 'spire-server', NAMESPACES.spire)!.spec as { egress: unknown[] }).egress).toEqual([{ toEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '6443', protocol: 'TCP' }] }] }]);
    expect((find(profile, 'CiliumNetworkPolicy', 'spire-agent', AGENT_NAMESPACE)!.spec as { egress: unknown[] }).egress).toEqual([{ toEntities: ['host'], toPorts: [{ ports: [{ port: '10250', protocol: 'TCP' }] }] }]);
  });

  it('writes a ClusterSPIFFEID for every pod group of the platform, selecting its namespace and labels', () => {
    const { platform } = buildPlatform(loadProfile(profile));
    renderObjects(platform);
    const groups = platform.podGroups();
    const ids = objectsOf(profile).filter((o) => o.kind === 'ClusterSPIFFEID');
    expect(ids).toHaveLength(groups.length);
    expect(groups.map((g) => `${g.owner.id}/${g.name}`)).toEqual(expect.arrayContaining(['nats/nats', 'control-plane/control-plane', 'spire/server', 'spire/agent', 'spire/csi-driver']));
    for (const g of groups) {
      const id = ids.find((o) => (o.spec as { hint: string }).hint === `${g.owner.id}/${g.name}`);
      expect(id, `${g.owner.id}/${g.name}`).toBeDefined();
      expect(id!.metadata.namespace).toBeUndefined();
      expect(id!.spec).toEqual({
        className: CLASS_NAME,
        spiffeIDTemplate: SPIFFE_ID_TEMPLATE,
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': g.namespace } },
        podSelector: { matchLabels: { ...g.labels } },
        hint: `${g.owner.id}/${g.name}`,
      });
    }
    // The chart's own catch-all identities are off, so no pod matches an identity Sovra did not derive.
    expect(values(profile)['spire-server'].controllerManager.identities.clusterSPIFFEIDs.default).toEqual({ enabled: false });
    expect(values(profile)['spire-server'].controllerManager.className).toBe(CLASS_NAME);
  });

  it('states its claims with the parameters the output sets, HA and database TLS only on cluster', () => {
    const def = readJson<{ 'component-definition': { components: Array<{ title: string; 'control-implementations': Array<{ 'implemented-requirements': Array<{ 'control-id': string; description: string }> }> }> } }>(dirs[profile], 'oscal/component-definitions/spire.json');
    const reqs = def['component-definition'].components.flatMap((c) => c['control-implementations'].flatMap((ci) => ci['implemented-requirements']));
    const controls = reqs.map((r) => r['control-id']).sort();
    // On cluster the shared datastore is a PostgreSQL cluster, which states its own controls (access, audit, authenticators, TLS).
    expect(controls).toEqual(profile === 'cluster' ? ['ac-6', 'au-12', 'au-2', 'cp-10', 'ia-3', 'ia-5', 'ia-9', 'sc-12', 'sc-17', 'sc-8', 'sc-8.1'] : ['au-12', 'ia-3', 'ia-9', 'sc-12', 'sc-17']);
    const sc12 = reqs.find((r) => r['control-id'] === 'sc-12')!.description;
    expect(sc12).toContain(profile === 'cluster' ? 'ec-p384' : 'ec-p256');
    expect(sc12).toContain('X.509-SVID 1h');
    expect(reqs.find((r) => r['control-id'] === 'ia-9')!.description).toContain(`spiffe://${profile}.sovra.local/ns/<namespace>/sa/<service account>`);
  });

  it('lists the SPIRE signing keys and SVIDs in the CBOM with the configured key type', () => {
    const cbom = readJson<{ components: Array<{ 'bom-ref': string; cryptoProperties?: { relatedCryptoMaterialProperties?: { size?: number } } }> }>(dirs[profile], 'cbom.cdx.json');
    const key = cbom.components.find((c) => c['bom-ref'] === 'crypto:spire:related-crypto-material:spire-server-ca-signing-key');
    expect(key?.cryptoProperties?.relatedCryptoMaterialProperties?.size).toBe(profile === 'cluster' ? 384 : 256);
    expect(cbom.components.map((c) => c['bom-ref'])).toContain(`crypto:spire:algorithm:${profile === 'cluster' ? 'ecdsa-p384-sha384' : 'ecdsa-p256-sha256'}`);
    expect(cbom.components.map((c) => c['bom-ref'])).toContain('crypto:spire:certificate:x-509-svid');
  });

  it('has a producer for every Secret it reads: the database password is the CloudNativePG operator\'s', () => {
    const { platform } = buildPlatform(loadProfile(profile));
    const objects = renderObjects(platform);
    const spire = platform.component('spire')!;
    const closure = secretClosure(new Map([[spire, objects.get(spire)!]]), manifestFile);
    expect(closure.unproduced).toEqual([]);
    if (profile === 'cluster') {
      expect(spire.secretsConsumed.map((s) => `${s.namespace}/${s.name}`)).toContain(`${NAMESPACES.spire}/spire-db-app`);
      expect(closure.producers.find((p) => p.name === 'spire-db-app')?.kind).toBe('operator');
    } else {
      expect(spire.secretsConsumed).toEqual([]);
    }
  });
});

/** A component only this test knows, with a pod group that names no service account. */
class Sidecarless extends Component {
  constructor(scope: Construct, id: string, props: ComponentProps) {
    super(scope, id, props, { title: 'Sidecarless', description: 'A component written by a test.', layer: 'data', namespace: 'sovra-extra', version: '1.0.0' });
    this.addPods({ name: 'cruncher', labels: { 'app.kubernetes.io/name': 'cruncher' } });
    new ApiObject(this, 'Marker', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'extra' }, data: { ok: 'yes' } });
  }
}
const EXTRA: ComponentDefinition = { id: 'extra', layer: 'data', create: (s, id, p) => new Sidecarless(s, id, p) };

describe('GPU pool nodes', () => {
  it('the agents and the CSI driver tolerate the pools\' taint where pools are tainted (cluster), and carry no toleration where none is (dev, edge: the pool is the server)', () => {
    const gpu = [{ key: 'sovra.dev/gpu-pool', operator: 'Exists', effect: 'NoSchedule' }];
    expect(values('cluster')['spire-agent'].tolerations).toEqual(gpu);
    expect(values('cluster')['spiffe-csi-driver'].tolerations).toEqual(gpu);
    // The taint the agents tolerate is the one the cluster's pool nodes get.
    expect(loadProfile('cluster').gpu.pools.length).toBeGreaterThan(0);
    for (const p of ['dev', 'edge'] as const) {
      expect(values(p)['spire-agent'].tolerations).toEqual([]);
      expect(values(p)['spiffe-csi-driver'].tolerations).toEqual([]);
    }
  });
});

describe('a component added only to the registry', () => {
  it('gets a ClusterSPIFFEID for its pod group, selected by namespace and pod labels, with no other file edited', async () => {
    const out = tempDir();
    try {
      // EXTRA comes after SPIRE in the registry: identities are derived once every component exists.
      await synthProfile('edge', `${out}/edge`, { components: [...COMPONENTS, EXTRA] });
      const id = writtenObjects(`${out}/edge`).find((o) => o.object.kind === 'ClusterSPIFFEID' && o.object.metadata.name === 'extra-cruncher');
      expect(id?.where.startsWith('manifests/spire.yaml#')).toBe(true);
      expect(id?.object.spec).toEqual({
        className: CLASS_NAME,
        spiffeIDTemplate: SPIFFE_ID_TEMPLATE,
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'sovra-extra' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'cruncher' } },
        hint: 'extra/cruncher',
      });
    } finally {
      removeDir(out);
    }
  });
});

describe('settings', () => {
  const withSpire = (patch: Partial<Profile['components']['spire']>): Profile => {
    const p = loadProfile('dev');
    return { ...p, components: { ...p.components, spire: { ...p.components.spire, ...patch } } };
  };

  it('refuses SVIDs that would outlive the CA that signs them, naming the settings', () => {
    const e = (() => {
      try {
        buildPlatform(withSpire({ x509SvidTTL: '48h' }));
        return undefined;
      } catch (x) {
        return x;
      }
    })();
    expect(isSovraError(e)).toBe(true);
    expect((e as Error).message).toContain('x509SvidTTL (48h) and jwtSvidTTL (5m) must be shorter than caTTL (24h)');
  });

  it('takes a site trust domain and key type into values, claims and identities', () => {
    const { platform } = buildPlatform(withSpire({ trustDomain: 'prod.example.org', caKeyType: 'ec-p384' }));
    renderObjects(platform);
    const spire = platform.component('spire') as Spire;
    expect(spire.chart.values.global.spire.trustDomain).toBe('prod.example.org');
    expect(spire.chart.values['spire-server'].caKeyType).toBe('ec-p384');
    expect(spire.claims.find((c) => c.control === 'ia-9')!.statement).toContain('spiffe://prod.example.org/ns/');
    expect(spire.identities.size).toBe(platform.podGroups().length);
  });
});
