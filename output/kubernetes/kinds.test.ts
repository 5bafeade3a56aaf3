import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shipped } from '../../core/paths.js';
import { K8S_SCHEMA_DIR, lookupKind, referencePaths, shippedKinds } from './kinds.js';

const dir = shipped(K8S_SCHEMA_DIR);

function files(d: string): string[] {
  return readdirSync(d).flatMap((name) => {
    const abs = join(d, name);
    return statSync(abs).isDirectory() ? files(abs) : [relative(dir, abs).split(sep).join('/')];
  });
}

describe('the shipped kind list', () => {
  it('names every shipped schema file, and only those', () => {
    const listed = [...new Set(shippedKinds().map((k) => k.schema))].sort();
    const present = files(dir).filter((f) => f.startsWith('schema/') || f.startsWith('crds/')).sort();
    expect(present).toEqual(listed);
  });

  it('is sorted by schema path and lists each kind once', () => {
    const kinds = shippedKinds();
    const paths = kinds.map((k) => k.schema);
    expect(paths).toEqual([...paths].sort());
    expect(new Set(kinds.map((k) => `${k.apiVersion} ${k.kind}`)).size).toBe(kinds.length);
  });

  it('maps each core kind to the schema of that kind', () => {
    for (const k of shippedKinds().filter((s) => s.schema.startsWith('schema/'))) {
      const gvk = (JSON.parse(readFileSync(join(dir, k.schema), 'utf8')) as { 'x-kubernetes-group-version-kind': Array<{ group: string; version: string; kind: string }> })['x-kubernetes-group-version-kind'];
      const apiVersion = gvk.map((g) => (g.group ? `${g.group}/${g.version}` : g.version));
      expect(apiVersion, k.schema).toContain(k.apiVersion);
      expect(gvk.map((g) => g.kind), k.schema).toContain(k.kind);
    }
  });

  it('ships the kinds Sovra emits today and the planned stack', () => {
    for (const [apiVersion, kind] of [
      ['v1', 'Namespace'], ['apps/v1', 'Deployment'], ['v1', 'Service'], ['v1', 'ServiceAccount'], ['networking.k8s.io/v1', 'NetworkPolicy'],
      ['policy/v1', 'PodDisruptionBudget'], ['helm.cattle.io/v1', 'HelmChart'], ['cilium.io/v2', 'CiliumClusterwideNetworkPolicy'],
      ['admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicy'], ['security.istio.io/v1', 'PeerAuthentication'], ['postgresql.cnpg.io/v1', 'Cluster'],
      ['gateway.networking.k8s.io/v1', 'HTTPRoute'], ['tekton.dev/v1', 'Pipeline'], ['spire.spiffe.io/v1alpha1', 'ClusterSPIFFEID'],
    ] as const) {
      expect(lookupKind(apiVersion, kind).schema, `${apiVersion} ${kind}`).toBeDefined();
    }
  });

  it('matches kinds by exact spelling and reports withheld ones with their reason', () => {
    expect(lookupKind('apps/v1', 'deployment')).toEqual({});
    expect(lookupKind('apps/v2', 'Deployment')).toEqual({});
    expect(lookupKind('minio.min.io/v2', 'Tenant').withheld?.reason).toMatch(/AGPL/);
  });

  it('says where the reference data keeps a kind it does not ship', () => {
    expect(referencePaths('v1', 'Pod')).toEqual(['schema/v1.30.10-standalone-strict/pod-v1.json']);
    expect(referencePaths('storage.k8s.io/v1', 'StorageClass')).toEqual(['schema/v1.30.10-standalone-strict/storageclass-storage-v1.json', 'crds/storage.k8s.io/storageclass_v1.json']);
    expect(referencePaths('widgets.example.com/v1', 'Widget')).toEqual(['crds/widgets.example.com/widget_v1.json']);
  });
});
