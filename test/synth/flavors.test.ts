/**
 * Flavors: a profile replaces images (`imageOverrides`) and chart sources
 * (`chartOverrides`); every view uses the replacement, and replacements
 * that cannot be honoured are refused with a message naming them.
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { buildPlatform } from '../../synth/synth.js';
import { loadProfile } from '../../profiles/load.js';
import { imageName } from '../../constructs/kit/image.js';
import { SovraError } from '../../core/errors.js';
import { listFiles, readJson, synthProfile, tempDir } from '../support/synth-output.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
/** A replacement per image: an internal registry, a repository that shares nothing with the catalog's, a digest of its own. */
const replacement = (name: string) => `registry.internal:5443/hardened/i${sha(name).slice(0, 10)}@sha256:${sha(`image ${name}`)}`;

function profileFile(dir: string, base: 'edge' | 'cluster', extra: object): string {
  const file = join(dir, `${base}-flavor.yaml`);
  writeFileSync(file, YAML.stringify({ extends: base, name: `${base}-flavor`, ...extra }));
  return file;
}

/** Every string in the manifests, chart values parsed out of HelmCharts. */
function manifestStrings(dir: string): string[] {
  const out: string[] = [];
  const walk = (v: unknown, key?: string): void => {
    if (typeof v === 'string') {
      out.push(v);
      if (key === 'valuesContent') walk(YAML.parse(v));
    } else if (Array.isArray(v)) v.forEach((x) => walk(x));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  for (const f of listFiles(dir).filter((f) => f.startsWith('manifests/'))) for (const doc of YAML.parseAllDocuments(readFileSync(join(dir, f), 'utf8'))) walk(doc.toJS());
  const tf = listFiles(dir).find((f) => f === 'terraform/cdk.tf.json');
  if (tf) walk(JSON.parse(readFileSync(join(dir, tf), 'utf8')).resource);
  return out;
}

describe('imageOverrides and chartOverrides', () => {
  let root: string;
  let edge: string;
  let overrides: Record<string, string>;
  let charts: Array<{ release: string; chart: string; repository: string; version: string }>;
  /** The replacement archive's digest: one per chart and version, as a mirror holds one archive however many releases install it (logs and traces install the collector chart). */
  const chartDigest = (c: { chart: string; version: string }) => `sha256:${sha(`chart ${c.chart}@${c.version}`)}`;

  beforeAll(async () => {
    root = tempDir('sovra-flavor-');
    const { platform } = buildPlatform(loadProfile('edge'));
    platform.finalize();
    overrides = Object.fromEntries(platform.images().map((i) => [imageName(i), replacement(imageName(i))]));
    charts = platform.components.flatMap((c) => c.charts.map((h) => ({ release: h.release, chart: h.chart, repository: h.repository, version: h.version })));
    const chartOverrides = Object.fromEntries(charts.map((c) => [c.release, { repository: 'oci://registry.internal:5443/charts', digest: chartDigest(c) }]));
    edge = join(root, 'edge');
    await synthProfile(profileFile(root, 'edge', { imageOverrides: overrides, chartOverrides }), edge);
  }, 120_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('renders every replaced image by its replacement: each replacement digest is in the manifests, no catalog registry/repository is left', () => {
    const strings = manifestStrings(edge);
    const text = strings.join('\n');
    const { platform } = buildPlatform(loadProfile('edge'));
    platform.finalize();
    const missing = Object.values(overrides).filter((ref) => !text.includes(ref.split('@')[1]!.slice('sha256:'.length)));
    // Images a chart runs by its own defaults are declared for the SBOM; all others must carry the replacement.
    expect(missing.length, `replacements absent from the manifests: ${missing.join(', ')}`).toBe(0);
    const left = platform.images().filter((i) => strings.some((s) => s.includes(`${i.registry}/${i.repository}`)));
    expect(left.map(imageName)).toEqual([]);
  });

  it('lists the replacements in the SBOM, by their registry and digest, locked', () => {
    const sbom = readJson<{ components: Array<{ type: string; name: string; purl?: string; version?: string; properties?: Array<{ name: string; value: string }> }> }>(edge, 'sbom.cdx.json');
    const containers = sbom.components.filter((c) => c.type === 'container');
    expect(containers.length).toBe(Object.keys(overrides).length);
    for (const c of containers) {
      const purl = decodeURIComponent(c.purl ?? '');
      expect(purl, c.name).toMatch(/^pkg:oci\/i[0-9a-f]{10}@sha256:[0-9a-f]{64}\?repository_url=registry\.internal:5443\/hardened\/i[0-9a-f]{10}&tag=[\w.-]+$/);
      expect(Object.values(overrides)).toContain(`${c.name}@${purl.slice(purl.indexOf('@') + 1, purl.indexOf('?'))}`);
      expect(c.properties?.find((p) => p.name === 'sovra:image:locked')?.value, c.name).toBe('true');
    }
  });

  it('mirrors the replacement registry on the air-gapped host, and the catalog registries no more', () => {
    const config = YAML.parse(readFileSync(join(edge, 'host/registries.yaml'), 'utf8')) as { mirrors: Record<string, unknown> };
    expect(Object.keys(config.mirrors)).toEqual(['registry.internal:5443']);
    expect(config.mirrors['registry.internal:5443']).toMatchObject({ rewrite: { '^(.*)$': 'registry.internal_5443/$1' } });
  });

  it('pins each HelmChart to the replaced chart digest', () => {
    const objs = listFiles(edge)
      .filter((f) => f.startsWith('manifests/'))
      .flatMap((f) => YAML.parseAllDocuments(readFileSync(join(edge, f), 'utf8')).map((d) => d.toJS()))
      .filter((o) => o?.kind === 'HelmChart');
    expect(objs.length).toBe(charts.length);
    for (const o of objs) expect(o.metadata.annotations['sovra.dev/chart-digest'], o.metadata.name).toBe(chartDigest(charts.find((c) => c.release === o.metadata.name)!));
  });

  it('on a Terraform profile each helm_release takes the replaced repository', async () => {
    const { platform } = buildPlatform(loadProfile('cluster'));
    platform.finalize();
    const installed = platform.components.flatMap((c) => c.charts);
    const releases = installed.map((h) => h.release);
    const dir = join(root, 'cluster');
    await synthProfile(profileFile(root, 'cluster', { chartOverrides: Object.fromEntries(installed.map((h) => [h.release, { repository: 'https://charts.mirror.internal/stable', digest: chartDigest(h) }])) }), dir);
    const tf = readJson<{ resource: { helm_release: Record<string, { repository: string }> } }>(dir, 'terraform/cdk.tf.json');
    expect(Object.keys(tf.resource.helm_release).sort()).toEqual([...releases].sort());
    for (const r of Object.values(tf.resource.helm_release)) expect(r.repository).toBe('https://charts.mirror.internal/stable');
  }, 120_000);

  it('refuses a replacement without a digest where the profile requires digests, naming it', () => {
    const file = profileFile(root, 'edge', { imageOverrides: { 'quay.io/cilium/cilium:v1.20.0': 'registry.internal/hardened/cilium:v1.20.0' } });
    let err: unknown;
    try {
      buildPlatform(loadProfile(file));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SovraError);
    expect((err as SovraError).code).toBe('bad-profile');
    expect((err as Error).message).toContain('imageOverrides["quay.io/cilium/cilium:v1.20.0"] = "registry.internal/hardened/cilium:v1.20.0" has none');
  });

  it('refuses overrides that name no image or release of the profile (a typo would silently keep the catalog image)', async () => {
    const file = profileFile(root, 'edge', {
      imageOverrides: { 'quay.io/cilium/cilium:v9.9.9': `registry.internal/x@sha256:${sha('x')}` },
      chartOverrides: { cilum: { repository: 'https://charts.internal', digest: `sha256:${sha('y')}` } },
    });
    await expect(synthProfile(file, join(root, 'typo'))).rejects.toThrow(/imageOverrides name images this profile does not run: quay\.io\/cilium\/cilium:v9\.9\.9.*chartOverrides name releases this profile does not install: cilum/s);
    expect(listFiles(root)).not.toContain('typo');
  });
});
