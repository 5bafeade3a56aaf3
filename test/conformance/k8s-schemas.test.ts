/**
 * Every Kubernetes object every profile writes validates against the
 * Kubernetes 1.30 schemas and the CRD schemas in ../shared/k8s. An object
 * without a schema fails the test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { K8sSchemas } from '../support/k8s-schema.js';
import { PROFILES, removeDir, synthAll, writtenObjects, type ProfileName } from '../support/synth-output.js';

let root: string | undefined;
let dirs: Record<ProfileName, string>;
const schemas = new K8sSchemas();

beforeAll(async () => {
  ({ root, dirs } = await synthAll());
});
afterAll(() => removeDir(root));

describe('the schema check itself', () => {
  it('rejects an unknown field, a wrong type, and a kind with no schema', () => {
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { replicas: 'three', selector: {}, template: {} } };
    expect(schemas.validate(deployment).errors.join('\n')).toMatch(/replicas/);
    expect(schemas.validate({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'x' }, automountToken: false }).errors).not.toEqual([]);
    expect(schemas.validate({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'x' } }).errors.join()).toMatch(/no schema for example\.com\/v1 Widget/);
  });

  it('checks the metadata and top-level keys of CRD objects, and compiles the Cilium CRD', () => {
    const policy = { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'p' }, spec: { endpointSelector: {}, ingress: [{ fromEntities: ['host'] }] } };
    expect(schemas.validate(policy)).toEqual({ schema: 'crds/cilium.io/ciliumclusterwidenetworkpolicy_v2.json', errors: [] });
    expect(schemas.validate({ ...policy, metadata: { name: 'p', labels: { a: 1 } } }).errors).not.toEqual([]);
    expect(schemas.validate({ ...policy, sepc: {} }).errors.join()).toMatch(/additional/);
  });
});

describe.each(PROFILES)('profile %s', (profile) => {
  it('writes only objects that validate against the Kubernetes 1.30 and CRD schemas', () => {
    const found = writtenObjects(dirs[profile]);
    expect(found.length).toBeGreaterThan(0);
    const problems: string[] = [];
    const used = new Set<string>();
    for (const { object, where } of found) {
      const r = schemas.validate(object);
      if (r.schema) used.add(r.schema);
      for (const e of r.errors) problems.push(`${where} (${object.kind} ${object.metadata?.name}): ${e}`);
      if (typeof object.metadata?.name !== 'string' || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(object.metadata.name)) {
        problems.push(`${where}: metadata.name ${JSON.stringify(object.metadata?.name)} is not a valid object name`);
      }
    }
    expect(problems).toEqual([]);
    // The check did run against real schemas of both kinds.
    expect([...used].some((s) => s.startsWith('schema/'))).toBe(true);
    expect([...used].some((s) => s.startsWith('crds/'))).toBe(true);
  });
});

it('covers the HelmChart objects of dev and edge and the Terraform manifests of cluster', () => {
  for (const p of ['dev', 'edge'] as const) {
    expect(writtenObjects(dirs[p]).filter((o) => o.object.kind === 'HelmChart').length).toBeGreaterThan(0);
  }
  expect(writtenObjects(dirs.cluster).some((o) => o.where.startsWith('terraform/'))).toBe(true);
});
