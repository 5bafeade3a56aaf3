/**
 * addExternalSecret through the real synth: a component that exists only in
 * this test reads one Secret from OpenBao and has another generated in the
 * cluster, and a workload of it consumes both. The objects pass the synth's
 * schema check (the External Secrets 2.9.0 CRD schemas shipped in
 * output/kubernetes/schemas), their specs are exactly what ESO needs, both
 * Secrets have a producer in the secret closure, the platform's store serves
 * the component's namespace, and no secret value is anywhere in the output.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Construct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { isSovraError } from '../../core/errors.js';
import { secretClosure } from '../../output/secret-closure.js';
import { loadProfile } from '../../profiles/load.js';
import { buildPlatform, renderObjects } from '../../synth/synth.js';
import { withOpenBao } from '../../test/fixtures/openbao-stub.js';
import { REPO_ROOT } from '../../test/support/shared.js';
import { listFiles, removeDir, synthProfile, tempDir, writtenObjects, type K8sObject } from '../../test/support/synth-output.js';
import { COMPONENTS } from '../registry.js';
import { Component, type ComponentProps } from './component.js';
import type { ComponentDefinition } from './definition.js';
import { addExternalSecret, generatorName, type ExternalSecretProps } from './external-secrets.js';
import { SECRET_STORE } from './shared-names.js';
import { HardenedWorkload } from './workload.js';

const NS = 'sovra-eso-probe';

/** Reads a database login from OpenBao and has two keys generated; its workload reads both Secrets. */
class Probe extends Component {
  constructor(scope: Construct, id: string, props: ComponentProps, producers = true) {
    super(scope, id, props, { title: 'ESO probe', description: 'A component written by a test.', layer: 'data', namespace: NS, version: '1.0.0' });
    if (producers) this.addSecrets();
    const image = this.addImage({ registry: 'ghcr.io', repository: 'example/probe', tag: '1.0.0', license: 'MIT' });
    new HardenedWorkload(this, 'Workload', {
      name: 'probe',
      image,
      replicas: 1,
      ports: [{ name: 'http', port: 8080 }],
      resources: { cpu: '50m', memory: '64Mi' },
      secretEnv: [
        { name: 'DB_PASSWORD', secret: 'probe-db', key: 'password', purpose: 'Database password.' },
        { name: 'API_KEY', secret: 'probe-keys', key: 'api-key', purpose: 'API key.' },
      ],
    });
  }

  private addSecrets(): void {
    addExternalSecret(this, {
      name: 'probe-db',
      purpose: 'Database login of the probe.',
      from: {
        openbao: [
          { secretKey: 'username', path: 'probe/db', property: 'username' },
          { secretKey: 'password', path: 'probe/db', property: 'password' },
        ],
      },
    });
    addExternalSecret(this, { name: 'probe-keys', purpose: 'Keys the probe signs with.', from: { generated: { keys: ['api-key', 'SIGNING_KEY'], length: 32 } } });
  }
}
const PROBE: ComponentDefinition = { id: 'probe', layer: 'data', create: (s, id, p) => new Probe(s, id, p) };
/** The same workload without its ExternalSecrets. */
const BARE: ComponentDefinition = { id: 'probe', layer: 'data', create: (s, id, p) => new Probe(s, id, p, false) };

let root: string;
let out: string;
let objects: K8sObject[];
const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === NS);

beforeAll(async () => {
  root = tempDir();
  out = join(root, 'edge');
  // The synth validates every object against the shipped schema of its kind and stops on the first that does not fit.
  await synthProfile('edge', out, { components: withOpenBao('external-secrets', [...COMPONENTS, PROBE]) });
  objects = writtenObjects(out).map((o) => o.object);
});
afterAll(() => removeDir(root));

describe('an ExternalSecret read from OpenBao', () => {
  it('names the platform store and the KV path and property of each key', () => {
    expect(find('ExternalSecret', 'probe-db')).toMatchObject({ apiVersion: 'external-secrets.io/v1' });
    expect(find('ExternalSecret', 'probe-db')!.spec).toEqual({
      refreshInterval: '1h',
      secretStoreRef: { kind: 'ClusterSecretStore', name: SECRET_STORE },
      target: { name: 'probe-db', creationPolicy: 'Owner', deletionPolicy: 'Retain' },
      data: [
        { secretKey: 'username', remoteRef: { key: 'probe/db', property: 'username' } },
        { secretKey: 'password', remoteRef: { key: 'probe/db', property: 'password' } },
      ],
    });
  });

  it('makes the platform store serve the namespace it is in', () => {
    const store = objects.find((o) => o.kind === 'ClusterSecretStore' && o.metadata.name === SECRET_STORE)!;
    const conditions = (store.spec as { conditions: Array<{ namespaces: string[] }> }).conditions;
    expect(conditions).toHaveLength(1);
    // The probe's namespace is served beside the stack's own readers (the control plane's audit key).
    expect(conditions[0]!.namespaces).toContain(NS);
    expect(conditions[0]!.namespaces).toEqual([...conditions[0]!.namespaces].sort());
  });
});

describe('an ExternalSecret generated in the cluster', () => {
  it('has one Password generator per key, letters and digits, with a valid object name even for an upper-case key', () => {
    for (const [key, name] of [
      ['api-key', 'probe-keys-api-key'],
      ['SIGNING_KEY', 'probe-keys-signing-key'],
    ] as const) {
      expect(generatorName('probe-keys', key)).toBe(name);
      const gen = find('Password', name)!;
      expect(gen.apiVersion).toBe('generators.external-secrets.io/v1alpha1');
      expect(gen.spec).toEqual({ length: 32, digits: 8, symbols: 0, noUpper: false, allowRepeat: true });
    }
  });

  it('is created once from the generators, each value renamed from `password` to its key', () => {
    expect(find('ExternalSecret', 'probe-keys')!.spec).toEqual({
      refreshPolicy: 'CreatedOnce',
      target: { name: 'probe-keys', creationPolicy: 'Owner', deletionPolicy: 'Retain' },
      dataFrom: [
        { sourceRef: { generatorRef: { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'Password', name: 'probe-keys-api-key' } }, rewrite: [{ regexp: { source: '^password$', target: 'api-key' } }] },
        { sourceRef: { generatorRef: { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'Password', name: 'probe-keys-signing-key' } }, rewrite: [{ regexp: { source: '^password$', target: 'SIGNING_KEY' } }] },
      ],
    });
  });

  it('uses kinds whose schemas Sovra ships (so the synth checked them)', () => {
    const kinds = (JSON.parse(readFileSync(join(REPO_ROOT, 'output/kubernetes/schemas/kinds.json'), 'utf8')) as { kinds: Array<{ apiVersion: string; kind: string }> }).kinds.map((k) => `${k.apiVersion}/${k.kind}`);
    expect(kinds).toEqual(expect.arrayContaining(['external-secrets.io/v1/ExternalSecret', 'external-secrets.io/v1/ClusterSecretStore', 'generators.external-secrets.io/v1alpha1/Password']));
  });
});

describe('producers and values', () => {
  it('declares both Secrets as produced by their ExternalSecrets, and the closure of the component has no gap', () => {
    const { platform } = buildPlatform(loadProfile('edge'), { components: withOpenBao('external-secrets', [...COMPONENTS, PROBE]) });
    const probe = platform.component('probe')!;
    expect(probe.secretsProduced).toEqual([
      { namespace: NS, name: 'probe-db', keys: ['username', 'password'], kind: 'external-secret', by: `ExternalSecret ${NS}/probe-db`, purpose: 'Database login of the probe.' },
      { namespace: NS, name: 'probe-keys', keys: ['api-key', 'SIGNING_KEY'], kind: 'external-secret', by: `ExternalSecret ${NS}/probe-keys`, purpose: 'Keys the probe signs with.' },
    ]);
    const rendered = renderObjects(platform);
    const closure = secretClosure(new Map([[probe, rendered.get(probe)!]]), () => 'manifests/probe.yaml');
    expect([...new Set(closure.references.map((r) => r.name))].sort()).toEqual(['probe-db', 'probe-keys']);
    expect(closure.unproduced).toEqual([]);
    // The same workload without its ExternalSecrets has both references unproduced: the check bites.
    const { platform: other } = buildPlatform(loadProfile('edge'), { components: withOpenBao('external-secrets', [...COMPONENTS, BARE]) });
    const bare = other.component('probe')!;
    const unproduced = secretClosure(new Map([[bare, renderObjects(other).get(bare)!]]), () => 'manifests/probe.yaml').unproduced;
    const fromPods = unproduced.filter((r) => r.where.startsWith('Deployment')).map((r) => `${r.name} ${r.where}`).sort();
    expect(fromPods).toEqual([
      expect.stringMatching(/^probe-db Deployment sovra-eso-probe\/probe spec\.template\.spec\.containers\[0\]\.env\[\d+\]\.valueFrom\.secretKeyRef$/),
      expect.stringMatching(/^probe-keys Deployment sovra-eso-probe\/probe spec\.template\.spec\.containers\[0\]\.env\[\d+\]\.valueFrom\.secretKeyRef$/),
    ]);
  });

  it('writes no Secret and no secret value anywhere in the output', () => {
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    // No object of any file holds a stringData field. (The text may name it: the policy that refuses
    // literal Secret data, secrets/no-literal-data, reads `object.stringData` in its expression.)
    const keys = (x: unknown): string[] => (Array.isArray(x) ? x.flatMap(keys) : x !== null && typeof x === 'object' ? Object.entries(x).flatMap(([k, v]) => [k, ...keys(v)]) : []);
    for (const f of listFiles(out).filter((f) => f.endsWith('.yaml') || f.endsWith('.json'))) {
      const text = readFileSync(join(out, f), 'utf8');
      const docs = f.endsWith('.json') ? [JSON.parse(text) as unknown] : YAML.parseAllDocuments(text).map((d) => d.toJS() as unknown);
      expect(docs.flatMap(keys), f).not.toContain('stringData');
    }
    // What the ExternalSecrets carry are names, paths and generator settings (exact specs above), never values.
    const es = objects.filter((o) => o.kind === 'ExternalSecret' || o.kind === 'Password');
    expect(JSON.stringify(es)).not.toMatch(/"value"/);
    // A template (the object store's config.env) shapes fetched or generated values: each of its entries takes one through a placeholder.
    for (const o of es) {
      const data = (o.spec as { target?: { template?: { data?: Record<string, string> } } }).target?.template?.data ?? {};
      for (const [k, v] of Object.entries(data)) expect(v, `${o.metadata.name} ${k}`).toMatch(/\{\{ \.[A-Za-z0-9_-]+ \}\}/);
    }
  });
});

describe('mistakes in the props', () => {
  const attempt = (props: ExternalSecretProps): string => {
    class Bad extends Component {
      constructor(scope: Construct, id: string, p: ComponentProps) {
        super(scope, id, p, { title: 'Bad', description: 'Bad props.', layer: 'data', namespace: 'sovra-bad', version: '1' });
        addExternalSecret(this, props);
      }
    }
    const e = (() => {
      try {
        buildPlatform(loadProfile('dev'), { components: [{ id: 'bad', layer: 'data', create: (s, id, p) => new Bad(s, id, p) }] });
      } catch (x) {
        return x;
      }
      return undefined;
    })();
    expect(isSovraError(e), String(e)).toBe(true);
    return (e as Error).message;
  };
  const generated = (keys: string[], length = 32): ExternalSecretProps => ({ name: 'creds', purpose: 'x', from: { generated: { keys, length } } });

  it('a password shorter than 16 characters is refused', () => {
    expect(attempt(generated(['a'], 8))).toContain('ExternalSecret "creds": generated length 8 must be a whole number from 16 to 1024');
  });
  it('two keys that give one generator name are refused, naming both', () => {
    expect(attempt(generated(['a.b', 'a-b']))).toContain('keys "a.b" and "a-b" would share the generator name "creds-a-b"');
  });
  it('a key that is not a Secret key, or listed twice, is refused', () => {
    expect(attempt(generated(['a/b']))).toContain('Secret key "a/b" may only hold letters, digits');
    expect(attempt(generated(['k', 'k']))).toContain('Secret key "k" is listed twice');
    expect(attempt(generated([]))).toContain('no keys');
  });
  it('a malformed OpenBao path or name is refused', () => {
    expect(attempt({ name: 'creds', purpose: 'x', from: { openbao: [{ secretKey: 'k', path: '/sovra/x', property: 'k' }] } })).toContain('OpenBao path "/sovra/x" of key "k"');
    expect(attempt({ name: 'Creds', purpose: 'x', from: { openbao: [{ secretKey: 'k', path: 'x', property: 'k' }] } })).toContain('ExternalSecret "Creds": the name must be a DNS-1123 subdomain');
  });
});
