/**
 * `cdk8s synth` and `cdktf synth` run the real CLIs (from node_modules) on the
 * compiled apps and must agree with `sovra synth`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseProfile, profileArgument } from '../../apps/cdk8s-app.js';
import { loadProfile } from '../../profiles/load.js';
import { buildPlatform } from '../../synth/synth.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const env: NodeJS.ProcessEnv = { ...process.env, SOURCE_DATE_EPOCH: '1700000000', CDK8S_CHECK_UPGRADE: 'false', CHECKPOINT_DISABLE: '1' };
const work = mkdtempSync(join(tmpdir(), 'sovra-apps-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Every file under `dir` (recursively) by relative path. */
function filesOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p);
      else out[p] = readFileSync(join(dir, p), 'utf8');
    }
  };
  walk('');
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

describe('cdk8s synth', () => {
  let sovraOutput: Record<string, string>;
  beforeAll(async () => {
    await run('node', ['bin/sovra.js', 'synth', '--profile', 'edge', '--out', join(work, 'sovra-edge'), '--quiet'], { cwd: root, env });
    sovraOutput = filesOf(join(work, 'sovra-edge'));
  }, 60_000);

  it('with SOVRA_PROFILE=edge writes the same full output (every view), byte for byte, as sovra synth --profile edge', async () => {
    const out = join(work, 'cdk8s-env');
    await run('node', ['node_modules/cdk8s-cli/bin/cdk8s', 'synth', '--output', out], { cwd: root, env: { ...env, SOVRA_PROFILE: 'edge' } });
    const got = filesOf(out);
    expect(Object.keys(got)).toEqual(Object.keys(sovraOutput));
    for (const view of ['manifests/cilium.yaml', 'host/registries.yaml', 'oscal/ssp.json', 'sbom.cdx.json', 'cbom.cdx.json', 'SHA256SUMS', 'provenance.intoto.json']) expect(Object.keys(got)).toContain(view);
    for (const [f, text] of Object.entries(sovraOutput)) expect(got[f], f).toBe(text);
  }, 60_000);

  it('takes the profile from `cdk8s synth --profile edge` when SOVRA_PROFILE is unset', async () => {
    const out = join(work, 'cdk8s-arg');
    const e = { ...env };
    delete e.SOVRA_PROFILE;
    await run('node', ['node_modules/cdk8s-cli/bin/cdk8s', 'synth', '--profile', 'edge', '--output', out], { cwd: root, env: e });
    expect(filesOf(out)).toEqual(sovraOutput);
  }, 60_000);

  it('stops when SOVRA_PROFILE and --profile disagree, naming both', async () => {
    const out = join(work, 'cdk8s-conflict');
    const err = await run('node', ['node_modules/cdk8s-cli/bin/cdk8s', 'synth', '--profile', 'edge', '--output', out], { cwd: root, env: { ...env, SOVRA_PROFILE: 'dev' } }).then(
      () => undefined,
      (e: { stderr: string; code: number }) => e,
    );
    expect(err).toBeDefined();
    expect(err!.stderr).toContain('SOVRA_PROFILE=dev and `cdk8s synth --profile edge` name different profiles');
  }, 60_000);

  it('falls back to dev only when neither source names a profile, and says so', () => {
    expect(chooseProfile({}, {})).toEqual({ ref: 'dev', notice: expect.stringContaining('synthesizing the dev profile') });
    expect(chooseProfile({ SOVRA_PROFILE: 'edge' }, {})).toEqual({ ref: 'edge' });
    expect(chooseProfile({}, { profile: 'cluster' })).toEqual({ ref: 'cluster' });
    expect(() => chooseProfile({ SOVRA_PROFILE: 'edge' }, { profile: 'dev' })).toThrow(/different profiles/);
    expect(profileArgument(['synth', '--profile=./site.yaml'])).toBe('./site.yaml');
    expect(profileArgument(['synth', '--output', 'x'])).toBeUndefined();
  });
});

describe('cdktf synth', () => {
  it('works offline and gives the same stack as sovra synth --profile cluster, with no absolute path', async () => {
    const out = join(work, 'cdktf');
    await run('node', ['bin/sovra.js', 'synth', '--profile', 'cluster', '--out', join(work, 'sovra-cluster'), '--quiet'], { cwd: root, env });
    await run('node', ['node_modules/cdktf-cli/bundle/bin/cdktf', 'synth', '--output', out], { cwd: root, env: { ...env, SOVRA_PROFILE: 'cluster' } });
    const stackText = readFileSync(join(out, 'stacks', 'sovra', 'cdk.tf.json'), 'utf8');
    const stack = JSON.parse(stackText) as { resource: Record<string, Record<string, unknown>> };
    const ours = JSON.parse(readFileSync(join(work, 'sovra-cluster', 'terraform', 'cdk.tf.json'), 'utf8')) as object;
    expect(stack).toEqual(ours);
    const releases = buildPlatform(loadProfile('cluster')).platform.components.flatMap((c) => c.charts.map((ch) => ch.release));
    expect(Object.keys(stack.resource.helm_release ?? {}).sort()).toEqual(releases.sort());
    for (const f of ['manifest.json', 'stacks/sovra/cdk.tf.json']) {
      const text = readFileSync(join(out, f), 'utf8');
      expect(text, f).not.toContain(root);
      expect(text, f).not.toContain(work);
      expect(text, f).not.toMatch(/"\/(home|root|work|tmp|Users)\//);
    }
  }, 120_000);

  it('refuses a profile that is not deployed with cdktf', async () => {
    const err = await run('node', ['node_modules/cdktf-cli/bundle/bin/cdktf', 'synth', '--output', join(work, 'cdktf-edge')], { cwd: root, env: { ...env, SOVRA_PROFILE: 'edge' } }).then(
      () => undefined,
      (e: { stderr: string; stdout: string }) => e,
    );
    expect(err).toBeDefined();
    expect(err!.stderr + err!.stdout).toContain('profile edge is deployed with');
  }, 120_000);
});
