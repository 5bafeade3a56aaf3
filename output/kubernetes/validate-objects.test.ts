import { describe, expect, it } from 'vitest';
import { isSovraError } from '../../core/errors.js';
import { checkKubernetesObjects, fieldPath, problemsMessage, validateKubernetesObjects } from './validate-objects.js';

const policy = { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'p' }, spec: { endpointSelector: {}, ingress: [{ fromEntities: ['host'] }] } };

describe('fieldPath', () => {
  it('writes array indices, plain keys and keys that need quoting', () => {
    const doc = { spec: { containers: [{ env: [{ name: 'a' }] }] }, metadata: { labels: { 'app.kubernetes.io/name': 'x', '0': 'y' } } };
    expect(fieldPath(doc, '/spec/containers/0/env/0/name')).toBe('spec.containers[0].env[0].name');
    expect(fieldPath(doc, '/metadata/labels/app.kubernetes.io~1name')).toBe('metadata.labels["app.kubernetes.io/name"]');
    expect(fieldPath(doc, '/metadata/labels/0')).toBe('metadata.labels["0"]');
    expect(fieldPath(doc, '')).toBe('(the object)');
  });
});

describe('checkKubernetesObjects', () => {
  it('passes valid core and CRD objects', () => {
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } };
    expect(checkKubernetesObjects([{ files: ['manifests/a.yaml'], objects: [ns, policy] }])).toEqual([]);
    expect(validateKubernetesObjects([{ files: ['manifests/a.yaml'], objects: [ns, policy] }, { files: ['manifests/b.yaml'], objects: [ns] }])).toBe(3);
  });

  it("checks a CRD object's metadata as ObjectMeta and refuses unknown top-level keys", () => {
    const [p] = checkKubernetesObjects([{ files: ['manifests/a.yaml'], objects: [{ ...policy, metadata: { name: 'p', labels: { tier: 1 } }, sepc: {} }] }]);
    expect(p!.schema).toBe('crds/cilium.io/ciliumclusterwidenetworkpolicy_v2.json');
    expect(p!.details).toEqual(expect.arrayContaining(['at sepc: unknown field (the schema allows no other properties here) (value: {})', 'at metadata.labels.tier: must be string,null (value: 1)']));
  });

  it('names the allowed values of an enum', () => {
    const bad = { ...policy, metadata: { name: 'p' }, spec: { endpointSelector: {}, ingress: [{ fromEntities: ['hostt'] }] } };
    const [p] = checkKubernetesObjects([{ files: ['manifests/a.yaml'], objects: [bad] }]);
    expect(p!.details).toHaveLength(1);
    expect(p!.details[0]).toMatch(/^at spec\.ingress\[0\]\.fromEntities\[0\]: must be equal to one of the allowed values \[.*"host".*\] \(value: "hostt"\)$/);
    expect(p!.object).toBe('CiliumClusterwideNetworkPolicy p');
  });

  it('reports objects that are not Kubernetes objects, and withheld kinds with the reason', () => {
    const problems = checkKubernetesObjects([{ files: ['manifests/a.yaml'], objects: [{ metadata: { name: 'x' } }, { apiVersion: 'minio.min.io/v2', kind: 'Tenant', metadata: { name: 't' } }] }]);
    expect(problems[0]!.details[0]).toMatch(/^not a Kubernetes object: apiVersion and kind must be strings/);
    expect(problems[1]!.details[0]).toMatch(/^the schema of minio\.min\.io\/v2 Tenant \(crds\/minio\.min\.io\/tenant_v2\.json\) is withheld: .*AGPL/);
    // Withheld is a decision, not a gap: no advice to add it.
    expect(problemsMessage(problems)).not.toContain('kinds.json');
  });

  it('lists at most five fields per object', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`k${i}`, i])) };
    const problems = checkKubernetesObjects([{ files: ['manifests/a.yaml'], objects: [cm] }]);
    expect(problems[0]!.details).toHaveLength(8);
    const msg = problemsMessage(problems);
    expect(msg).toContain('at data.k4: must be string,null (value: 4); and 3 more fields');
    expect(msg).not.toContain('data.k5');
  });

  it('throws invalid-output', () => {
    let err: unknown;
    try {
      validateKubernetesObjects([{ files: ['manifests/a.yaml'], objects: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } }] }]);
    } catch (e) {
      err = e;
    }
    expect(isSovraError(err) && err.code === 'invalid-output' && err.exitCode === 5).toBe(true);
    expect((err as Error).message).toContain('manifests/a.yaml, Pod p: no schema is shipped for v1 Pod');
    expect((err as Error).message).toContain('`schema/v1.30.10-standalone-strict/pod-v1.json`');
  });
});
