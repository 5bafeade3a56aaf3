/**
 * Air-gapped output: no HelmChart names a chart repository on the internet.
 * Given the chart archives (`--charts`, as the bundle does) each HelmChart
 * carries its archive, checked against the pinned digest; without them it
 * names the chart in the site registry. Images are pulled through the
 * site registry by host/registries.yaml.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { buildPlatform } from '../../synth/synth.js';
import { chartArchiveName, chartArchivesFrom } from '../../synth/chart-archives.js';
import { loadProfile } from '../../profiles/load.js';
import { listFiles, synthProfile, tempDir } from '../support/synth-output.js';
import type { HelmChartSpec } from '../../constructs/kit/chart.js';

const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function helmCharts(dir: string): Array<{ metadata: { name: string; annotations?: Record<string, string> }; spec: Record<string, unknown> }> {
  return listFiles(dir)
    .filter((f) => f.startsWith('manifests/'))
    .flatMap((f) => YAML.parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJS()))
    .filter((o) => o?.kind === 'HelmChart');
}

describe('air-gapped charts', () => {
  let root: string;
  let charts: HelmChartSpec<object>[];
  let archives: string;
  let profileFile: string;

  beforeAll(() => {
    root = tempDir('sovra-airgap-');
    const { platform } = buildPlatform(loadProfile('edge'));
    platform.finalize();
    charts = platform.components.flatMap((c) => [...c.charts]);
    // A small archive per chart (the synth embeds bytes, it does not unpack them), pinned by the profile through chartOverrides.
    archives = join(root, 'charts');
    mkdirSync(archives);
    const overrides: Record<string, { repository: string; digest: string }> = {};
    for (const c of charts) {
      const bytes = gzipSync(Buffer.from(`${c.chart} ${c.version}\n`), { level: 9 });
      writeFileSync(join(archives, chartArchiveName(c)), bytes);
      overrides[c.release] = { repository: c.repository, digest: sha256(bytes) };
    }
    profileFile = join(root, 'edge-charts.yaml');
    writeFileSync(profileFile, YAML.stringify({ extends: 'edge', name: 'edge-charts', chartOverrides: overrides }));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('without archives, every HelmChart names its chart in the site registry and trusts the site CA', async () => {
    const dir = join(root, 'plain');
    await synthProfile('edge', dir);
    const objs = helmCharts(dir);
    expect(objs.length).toBe(charts.length);
    for (const o of objs) {
      const c = charts.find((x) => x.release === o.metadata.name)!;
      expect(o.spec).toMatchObject({ chart: `oci://registry.sovra.local:5000/charts/${c.chart}`, version: c.version, repoCAConfigMap: { name: 'sovra-registry-ca' } });
      expect(o.spec.repo).toBeUndefined();
    }
  });

  it('with archives, every HelmChart carries its archive (chartContent), byte for byte, and names no repository', async () => {
    const dir = join(root, 'embedded');
    await synthProfile(profileFile, dir, { chartArchive: chartArchivesFrom(archives) });
    const objs = helmCharts(dir);
    expect(objs.length).toBe(charts.length);
    for (const o of objs) {
      const c = charts.find((x) => x.release === o.metadata.name)!;
      expect(Buffer.from(o.spec.chartContent as string, 'base64')).toEqual(readFileSync(join(archives, chartArchiveName(c))));
      expect(o.spec.repo).toBeUndefined();
      expect(o.spec.chart).toBeUndefined();
      expect(o.metadata.annotations?.['sovra.dev/chart-digest']).toBe(sha256(readFileSync(join(archives, chartArchiveName(c)))));
    }
  });

  it('refuses an archive whose digest is not the pinned one, naming chart, found and pinned digests', async () => {
    const bad = join(root, 'bad-charts');
    mkdirSync(bad);
    for (const c of charts) writeFileSync(join(bad, chartArchiveName(c)), readFileSync(join(archives, chartArchiveName(c))));
    const victim = charts[0]!;
    writeFileSync(join(bad, chartArchiveName(victim)), 'tampered');
    await expect(synthProfile(profileFile, join(root, 'bad'), { chartArchive: chartArchivesFrom(bad) })).rejects.toThrow(
      new RegExp(`chart ${victim.chart} ${victim.version} \\(release ${victim.release}\\): the archive given to the synth has ${sha256(Buffer.from('tampered'))}, the pin is sha256:`),
    );
    expect(listFiles(root)).not.toContain('bad');
  });

  it('names the archive file to add when one is missing', async () => {
    const few = join(root, 'few');
    mkdirSync(few);
    await expect(synthProfile(profileFile, join(root, 'few-out'), { chartArchive: chartArchivesFrom(few) })).rejects.toThrow(/no archive for chart \S+ \S+ \(release \S+\); put it there as \S+\.tgz/);
  });

  it('a profile that is not air-gapped keeps the chart repositories (the archives are not needed)', async () => {
    const dir = join(root, 'dev');
    await synthProfile('dev', dir);
    for (const o of helmCharts(dir)) expect(o.spec.repo, o.metadata.name).toMatch(/^(https|oci):\/\//);
  });
});
