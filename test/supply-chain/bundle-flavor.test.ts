/**
 * The whole path through the command line with the built-in edge stack: a
 * profile file replaces every image (`imageOverrides`, each pinned by the
 * digest of an image the test built and pushed to a loopback registry with
 * Basic auth) and every chart (`chartOverrides`, each an archive `helm
 * package` made with the catalog's chart name and version, served by a
 * loopback chart repository). `sovra bundle`, `sovra bundle verify` and
 * `sovra bundle load` then run as a site would run them, and what the
 * target registry serves is pulled back and compared.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { imageName } from '../../constructs/kit/image.js';
import { loadProfile } from '../../profiles/load.js';
import type { BundleManifest } from '../../supply-chain/bundle/format.js';
import { RegistryClient } from '../../supply-chain/oci/client.js';
import { buildPlatform } from '../../synth/synth.js';
import { helm } from '../conformance/support/helm.js';
import { readArchive } from '../support/archive-edit.js';
import { packageChart, startBundleFixture, type BundleFixture } from '../support/bundle-fixture.js';
import { sovra } from '../support/process.js';

let fx: BundleFixture;
let profileFile: string;
let out: string;
let overrides: Record<string, string>;
let chartDigests: Map<string, string>;
let bundle: { status: number | null; stdout: string; stderr: string };
const env = { SOURCE_DATE_EPOCH: '1767225600' };

beforeAll(async () => {
  fx = await startBundleFixture();
  const { platform } = buildPlatform(loadProfile('edge'));
  platform.finalize();
  // Every image replaced by one of the two test images, keeping its catalog tag.
  const images = [fx.images.multi, fx.images.single];
  overrides = Object.fromEntries(platform.images().map((i, n) => [imageName(i), `${fx.proxy.host}/edge/${n % 2 === 0 ? 'app' : 'sidecar'}:${i.tag}@${images[n % 2]!.top.descriptor.digest}`]));
  // Every chart replaced by an archive of the catalog's name and version, from the loopback repository.
  chartDigests = new Map();
  const chartOverrides: Record<string, { repository: string; digest: string }> = {};
  for (const c of platform.components.flatMap((x) => x.charts)) {
    const key = `${c.chart}-${c.version}`;
    if (!chartDigests.has(key)) {
      const file = packageChart(join(fx.root, 'flavor-charts', key), c.chart, c.version);
      copyFileSync(file, join(fx.chartRepoDir, `${key}.tgz`));
      chartDigests.set(key, `sha256:${createHash('sha256').update(readFileSync(file)).digest('hex')}`);
    }
    chartOverrides[c.release] = { repository: fx.chartRepo.url, digest: chartDigests.get(key)! };
  }
  execFileSync(helm(), ['repo', 'index', fx.chartRepoDir, '--url', fx.chartRepo.url], { stdio: 'pipe' });
  profileFile = join(fx.root, 'edge-flavor.yaml');
  // The site's nodes are amd64 and arm64: the bundle carries both platforms, so the index loads whole into a registry that checks every platform it names.
  writeFileSync(profileFile, YAML.stringify({ extends: 'edge', name: 'edge-flavor', distribution: { architectures: ['amd64', 'arm64'] }, imageOverrides: overrides, chartOverrides }));
  out = join(fx.root, 'edge-flavor.tar.zst');
  bundle = await sovra(['bundle', '--profile', profileFile, '--out', out, '--key', fx.keyFile, '--authfile', fx.authFile, '--cache', join(fx.root, 'flavor-cache'), '--quiet'], env);
}, 300_000);
afterAll(async () => {
  await fx?.stop();
});

describe('a profile that replaces every image and chart', () => {
  it('sovra images lists every image by its replacement, locked', async () => {
    const r = await sovra(['images', '--profile', profileFile, '--json']);
    const list = JSON.parse(r.stdout) as Array<{ name: string; reference: string; digest: string | null }>;
    expect(list.length).toBeGreaterThan(0);
    for (const i of list) {
      expect(i.digest).toBe(overrides[i.name]!.split('@')[1]);
      expect(i.reference).toBe(overrides[i.name]!.replace(/:[^:/@]+@/, '@'));
    }
  });

  it('sovra lock leaves the replaced images to the profile', async () => {
    const lock = join(fx.root, 'flavor.lock.json');
    const r = await sovra(['lock', '--profile', profileFile, '--lock', lock], env);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/locked 0 images .*: 0 added, 0 changed, 0 unchanged; \d+ replaced by imageOverrides are pinned there, not here/);
    expect(JSON.parse(readFileSync(lock, 'utf8'))).toEqual({ lockVersion: 1, images: [] });
  });

  it('sovra bundle carries every replacement image and chart, and the synth output embeds the charts', async () => {
    expect(bundle.status, bundle.stderr).toBe(0);
    const { files } = await readArchive(out);
    const manifest = JSON.parse(files.get('bundle.json')!.toString()) as BundleManifest;
    expect(new Set(manifest.images.map((i) => i.digest))).toEqual(new Set([fx.images.multi.top.descriptor.digest, fx.images.single.top.descriptor.digest]));
    expect(manifest.images.flatMap((i) => i.catalogNames).sort()).toEqual(Object.keys(overrides).sort());
    for (const c of manifest.charts) expect(c.digest).toBe(chartDigests.get(`${c.chart}-${c.version}`));
    expect(manifest.notCarried.map((n) => n.kind)).toContain('model');
    const helmCharts = [...files.keys()].filter((p) => p.startsWith('synth/manifests/')).flatMap((p) => YAML.parseAllDocuments(files.get(p)!.toString()).map((d) => d.toJS() as { kind: string; spec: Record<string, unknown> })).filter((o) => o?.kind === 'HelmChart');
    expect(helmCharts.length).toBe(manifest.charts.length);
    for (const h of helmCharts) expect(typeof h.spec.chartContent).toBe('string');
  });

  it('sovra bundle verify holds offline, with the CI gates', async () => {
    const r = await sovra(['bundle', 'verify', out, '--key', fx.pubFile, '--require-profile', 'edge-flavor', '--require-locked', '--require-builder', 'https://sovra.dev/builder/sovra-bundle']);
    expect(r.status, r.stderr).toBe(0);
  });

  it('sovra bundle load fills the target registry: images pulled back by digest, charts pulled by helm', async () => {
    const r = await sovra(['bundle', 'load', out, '--registry', fx.target.host, '--insecure']);
    expect(r.status, r.stderr).toBe(0);
    const client = new RegistryClient();
    const prefix = fx.proxy.host.replace(':', '_');
    for (const [name, ref] of Object.entries(overrides).slice(0, 6)) {
      const tag = /:([^:/@]+)@/.exec(ref)![1]!;
      const repository = `${prefix}/${/\/(edge\/[a-z]+):/.exec(ref)![1]}`;
      expect((await client.getManifest({ registry: fx.target.host, repository }, tag)).digest, name).toBe(ref.split('@')[1]);
    }
    client.close();
    const [key, digest] = [...chartDigests.entries()][0]!;
    const chart = key.slice(0, key.lastIndexOf('-'));
    const version = key.slice(key.lastIndexOf('-') + 1);
    const dir = join(fx.root, 'flavor-pull');
    mkdirSync(dir, { recursive: true });
    execFileSync(helm(), ['pull', `oci://${fx.target.host}/charts/${chart}`, '--version', version, '--plain-http', '--destination', dir], { stdio: 'pipe', env: { ...process.env, HELM_REGISTRY_CONFIG: join(fx.root, 'helm-registry.json'), HELM_CACHE_HOME: join(fx.root, 'helm-cache'), HELM_CONFIG_HOME: join(fx.root, 'helm-config') } });
    expect(`sha256:${createHash('sha256').update(readFileSync(join(dir, `${key}.tgz`))).digest('hex')}`).toBe(digest);
    expect(existsSync(out)).toBe(true);
  });
});
