/**
 * What each profile produces: a profile file that extends a built-in one,
 * K3s and RKE2 host configuration, the air-gapped registry mirror, and how
 * charts are installed (HelmChart objects on dev and edge, helm_release in a
 * Terraform stack with no absolute path on cluster).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_PROFILES } from '../../profiles/builtin/index.js';
import { loadProfile } from '../../profiles/load.js';
import { buildPlatform } from '../../synth/synth.js';
import { REPO_ROOT } from '../support/shared.js';
import { chartSourceOf, listFiles, readJson, readYamlDocs, removeDir, synthAll, synthProfile, terraformResources, writtenObjects, type ProfileName } from '../support/synth-output.js';

let root: string | undefined;
let dirs: Record<ProfileName, string>;
beforeAll(async () => {
  ({ root, dirs } = await synthAll());
});
afterAll(() => removeDir(root));

const host = (p: ProfileName, file: string) => readYamlDocs(dirs[p], `host/${file}`)[0] as Record<string, unknown>;

describe('a profile file that extends a built-in profile', () => {
  it('keeps the parent’s fields, applies its overrides (arrays replaced), and is named after the file', () => {
    const dir = join(root!, 'site');
    mkdirSync(dir);
    writeFileSync(join(dir, 'site.yaml'), 'extends: edge\ncomponents:\n  nats:\n    fileStorage: 50Gi\ngpu:\n  pools:\n    - { name: big, product: L40S, gpusPerNode: 2, nodes: 1 }\n');
    const p = loadProfile(join(dir, 'site.yaml'));
    const { edge } = BUILTIN_PROFILES;
    expect(p).toEqual({ ...edge, name: 'site', components: { ...edge.components, nats: { ...edge.components.nats, fileStorage: '50Gi' } }, gpu: { pools: [{ name: 'big', product: 'L40S', gpusPerNode: 2, nodes: 1 }] } });
    // JSON works the same.
    writeFileSync(join(dir, 'site2.json'), JSON.stringify({ extends: 'cluster', components: { 'control-plane': { memory: '4Gi' } } }));
    expect(loadProfile(join(dir, 'site2.json'))).toMatchObject({ name: 'site2', distribution: { kind: 'rke2' }, components: { 'control-plane': { cpu: '2', memory: '4Gi' } } });
  });

  it('synthesizes with the override in the manifests and the profile name in the labels', async () => {
    const out = join(root!, 'site-out');
    await synthProfile(join(root!, 'site', 'site.yaml'), out);
    const nats = writtenObjects(out).find((o) => o.object.kind === 'HelmChart' && o.object.metadata.name === 'nats')!.object;
    const values = YAML.parse((nats.spec as { valuesContent: string }).valuesContent) as { config: { jetstream: { fileStore: { pvc: { size: string } } } } };
    expect(values.config.jetstream.fileStore.pvc.size).toBe('50Gi');
    expect(nats.metadata.labels?.['sovra.dev/profile']).toBe('site');
    // Still edge underneath: air-gapped mirror and K3s.
    expect(listFiles(out)).toContain('host/registries.yaml');
  });
});

describe('host configuration', () => {
  it('cluster runs RKE2 with the CIS profile, secrets encryption and protected kernel defaults', () => {
    const config = host('cluster', 'config.yaml');
    expect(config).toMatchObject({ profile: 'cis', 'secrets-encryption': true, 'protect-kernel-defaults': true });
    expect(config['audit-policy-file']).toBe('/etc/rancher/rke2/audit-policy.yaml');
    expect(config['pod-security-admission-config-file']).toBe('/etc/rancher/rke2/pod-security.yaml');
    const files = readJson<{ files: Array<{ file: string; installPath: string }> }>(dirs.cluster, 'host/files.json').files;
    // A GPU pool's agent config (host/gpu-<pool>/config.yaml) is the config.yaml of that pool's nodes.
    for (const f of files) expect(f.installPath).toBe(`/etc/rancher/rke2/${f.file.replace(/^host\/(gpu-[a-z0-9-]+\/)?/, '')}`);
    expect(files.map((f) => f.file)).toEqual(expect.arrayContaining(['host/gpu-inference/config.yaml', 'host/gpu-vision/config.yaml']));
  });

  it.each(['dev', 'edge'] as const)('%s runs K3s with secrets encryption, protected kernel defaults, audit policy and Pod Security config', (p) => {
    const config = host(p, 'config.yaml');
    expect(config).toMatchObject({ 'secrets-encryption': true, 'protect-kernel-defaults': true });
    expect(config.profile).toBeUndefined(); // `profile` is an RKE2 option that K3s refuses
    expect(config['kube-apiserver-arg']).toEqual(expect.arrayContaining(['audit-policy-file=/etc/rancher/k3s/audit-policy.yaml', 'admission-control-config-file=/etc/rancher/k3s/pod-security.yaml']));
    const files = readJson<{ files: Array<{ file: string; installPath: string }> }>(dirs[p], 'host/files.json').files;
    for (const f of files) expect(f.installPath).toBe(`/etc/rancher/k3s/${f.file.replace('host/', '')}`);
  });

  it.each(['dev', 'edge', 'cluster'] as const)('%s enforces restricted Pod Security everywhere but kube-system and audits the API server', (p) => {
    const psa = host(p, 'pod-security.yaml') as { plugins: Array<{ name: string; configuration: { defaults: Record<string, string>; exemptions: { namespaces: string[] } } }> };
    expect(psa.plugins[0]!.name).toBe('PodSecurity');
    expect(psa.plugins[0]!.configuration.defaults).toMatchObject({ enforce: 'restricted', audit: 'restricted', warn: 'restricted' });
    expect(psa.plugins[0]!.configuration.exemptions.namespaces).toEqual(['kube-system']);
    expect(host(p, 'audit-policy.yaml')).toMatchObject({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy' });
  });

  it('edge mirrors the registry of every image the output runs to the bundle registry; dev and cluster have no mirror', () => {
    const mirror = BUILTIN_PROFILES.edge.images.registryMirror!;
    const refs = new Set<string>();
    const collect = (v: unknown, key = ''): void => {
      if (Array.isArray(v)) v.forEach((x) => collect(x));
      else if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        // Charts that take the registry apart from the repository (SPIRE's): the reference is registry/repository.
        const split = typeof o.registry === 'string' && typeof o.repository === 'string';
        if (split) refs.add(`${o.registry as string}/${o.repository as string}`);
        // Charts that take the image name apart from its repository (the GPU Operator's): the reference is repository/image.
        const named = typeof o.repository === 'string' && typeof o.image === 'string' && typeof o.version === 'string' && !o.image.includes('/');
        if (named) refs.add(`${o.repository as string}/${o.image as string}`);
        for (const [k, x] of Object.entries(o)) if (!(split && k === 'repository') && !(named && k === 'image')) collect(x, k);
      }
      else if (typeof v === 'string' && key === 'image') refs.add(v);
      else if (typeof v === 'string' && (key === 'repository' || key === 'fullImageName') && !v.startsWith('http')) refs.add(v);
      else if (typeof v === 'string' && key === 'valuesContent') collect(YAML.parse(v));
    };
    for (const { object } of writtenObjects(dirs.edge)) collect(object);
    const sbom = readJson<{ components: Array<{ type: string; name: string }> }>(dirs.edge, 'sbom.cdx.json');
    for (const c of sbom.components.filter((c) => c.type === 'container')) refs.add(c.name);
    const registries = new Set([...refs].map((r) => r.split('/')[0]!));
    expect(registries.size).toBeGreaterThanOrEqual(3);
    const config = host('edge', 'registries.yaml') as { mirrors: Record<string, { endpoint: string[] }>; configs: Record<string, unknown> };
    // Each upstream registry's images live under its name in the site registry; the rewrite maps pulls there.
    for (const r of registries) expect(config.mirrors[r], r).toEqual({ endpoint: [`https://${mirror}`], rewrite: { '^(.*)$': `${r.replace(/:/g, '_')}/$1` } });
    expect(Object.keys(config.configs)).toEqual([mirror]);
    expect(listFiles(dirs.dev)).not.toContain('host/registries.yaml');
    expect(listFiles(dirs.cluster)).not.toContain('host/registries.yaml');
  });
});

describe('charts', () => {
  it.each(['dev', 'edge'] as const)('%s installs each chart as a helm.cattle.io/v1 HelmChart from the component’s typed values', (p) => {
    const charts = buildPlatform(loadProfile(p)).platform.components.flatMap((c) => c.charts);
    expect(charts.length).toBeGreaterThan(0);
    const objects = writtenObjects(dirs[p]).map((o) => o.object).filter((o) => o.kind === 'HelmChart');
    expect(objects.map((o) => o.metadata.name).sort()).toEqual(charts.map((c) => c.release).sort());
    for (const chart of charts) {
      const o = objects.find((x) => x.metadata.name === chart.release)!;
      expect(o.apiVersion).toBe('helm.cattle.io/v1');
      expect(o.metadata.namespace).toBe('kube-system');
      expect(o.spec).toMatchObject({ ...chartSourceOf(p, chart), targetNamespace: chart.namespace });
      // Air-gapped: nothing names the chart's internet repository.
      if (p === 'edge') expect((o.spec as { repo?: string }).repo).toBeUndefined();
      expect(YAML.parse((o.spec as { valuesContent: string }).valuesContent)).toEqual(chart.values);
    }
    expect(terraformResources(dirs[p])).toBeUndefined();
  });

  it('cluster installs each chart as a helm_release in terraform/cdk.tf.json from the same typed values, and writes no HelmChart', () => {
    const charts = buildPlatform(loadProfile('cluster')).platform.components.flatMap((c) => c.charts);
    const releases = terraformResources(dirs.cluster)!.helm_release!;
    expect(Object.keys(releases).sort()).toEqual(charts.map((c) => c.release).sort());
    for (const chart of charts) {
      const r = releases[chart.release]! as { name: string; repository: string; chart: string; version: string; namespace: string; values: string[] };
      expect(r).toMatchObject({ name: chart.release, repository: chart.repository, chart: chart.chart, version: chart.version, namespace: chart.namespace });
      expect(YAML.parse(r.values[0]!)).toEqual(chart.values);
    }
    expect(writtenObjects(dirs.cluster).some((o) => o.object.kind === 'HelmChart')).toBe(false);
  });

  it('cluster’s Terraform holds no absolute path and pins its providers', () => {
    const text = JSON.stringify(readJson(dirs.cluster, 'terraform/cdk.tf.json'));
    for (const p of [root!, REPO_ROOT, homedir()]) expect(text.includes(p), p).toBe(false);
    const strings: string[] = [];
    // Kubernetes object content (probe paths, mount paths inside containers) is not a path on the build host.
    const walk = (v: unknown, key = ''): void => {
      if (typeof v === 'string') strings.push(v);
      else if (Array.isArray(v)) v.forEach((x) => walk(x));
      else if (v && typeof v === 'object' && key !== 'manifest') for (const [k, x] of Object.entries(v)) walk(x, k);
    };
    walk(readJson(dirs.cluster, 'terraform/cdk.tf.json'));
    expect(strings.filter((s) => /^\/|^[A-Za-z]:\\/.test(s))).toEqual([]);
    const tf = readJson<{ terraform: { backend: { local: { path: string } }; required_providers: Record<string, { source: string; version: string }> } }>(dirs.cluster, 'terraform/cdk.tf.json').terraform;
    expect(tf.backend.local.path).toBe('terraform.tfstate');
    for (const [name, p] of Object.entries(tf.required_providers)) expect(p.version, name).toMatch(/\d+\.\d+/);
    expect(Object.fromEntries(Object.entries(tf.required_providers).map(([n, p]) => [n, p.source]))).toEqual({ helm: 'hashicorp/helm', kubernetes: 'hashicorp/kubernetes' });
  });
});
