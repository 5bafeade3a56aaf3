/**
 * A claim whose evidence does not hold in the written output fails the synth
 * with a failed-evidence error naming control, component, object, field,
 * expected and actual value, and leaves no output (and no staging folder).
 * The broken component is built through the public construct API.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES, isSovraError, type SovraError } from '../../core/errors.js';
import { ProbeComponent, type ProbeProps } from '../fixtures/components.js';
import { listFiles, readJson, removeDir, synthProfile, tempDir, type ProfileName } from '../support/synth-output.js';

let root: string;
beforeAll(() => {
  root = tempDir();
});
afterAll(() => removeDir(root));

let n = 0;
/** Synthesizes `profile` with a probe component added; returns the error, or undefined on success, and the parent folder. */
async function synthWithProbe(profile: ProfileName, probe: Omit<ProbeProps, 'profile'>, prepare?: (outDir: string) => void) {
  const parent = join(root, `case-${++n}`);
  mkdirSync(parent);
  const outDir = join(parent, profile);
  prepare?.(outDir);
  try {
    await synthProfile(profile, outDir, { customize: (platform) => new ProbeComponent(platform, 'probe', { profile: platform.profile, ...probe }) });
    return { error: undefined, parent, outDir };
  } catch (e) {
    return { error: e as SovraError, parent, outDir };
  }
}

function expectFailedEvidence(error: unknown): string {
  expect(isSovraError(error), String(error)).toBe(true);
  const e = error as SovraError;
  expect(e.code).toBe('failed-evidence');
  expect(e.exitCode).toBe(EXIT_CODES['failed-evidence']);
  return e.message;
}

describe('a claim whose evidence holds', () => {
  it('synthesizes, and the OSCAL definition of the probe cites the ConfigMap field', async () => {
    const { error, outDir } = await synthWithProbe('edge', { mode: 'enforcing' });
    expect(error).toBeUndefined();
    expect(listFiles(outDir)).toContain('manifests/probe.yaml');
    const text = JSON.stringify(readJson(outDir, 'oscal/component-definitions/probe.json'));
    expect(text).toContain('ConfigMap sovra-probe/probe-settings data.mode equals \\"enforcing\\"');
  });
});

describe('a claim whose evidence does not hold', () => {
  it('fails naming control, component, object, field, expected and actual, and writes nothing', async () => {
    const { error, parent } = await synthWithProbe('edge', { mode: 'permissive', claimedMode: 'enforcing' });
    const msg = expectFailedEvidence(error);
    expect(msg).toContain('control AC-3');
    expect(msg).toContain('component "probe"');
    expect(msg).toContain('ConfigMap sovra-probe/probe-settings in manifests/probe.yaml');
    expect(msg).toContain('field data.mode');
    expect(msg).toContain('expected equals "enforcing"');
    expect(msg).toContain('actual "permissive"');
    // No output folder, and no staging folder left beside it.
    expect(readdirSync(parent)).toEqual([]);
  });

  it('says "missing" for a field the object does not have', async () => {
    const { error, parent } = await synthWithProbe('dev', { mode: 'enforcing', claimPath: 'data.level', control: 'cm-6' });
    const msg = expectFailedEvidence(error);
    expect(msg).toContain('control CM-6');
    expect(msg).toMatch(/field data\.level: expected equals "enforcing", actual missing/);
    expect(readdirSync(parent)).toEqual([]);
  });

  it('checks chart values in the HelmChart object on edge', async () => {
    const { error, parent } = await synthWithProbe('edge', { mode: 'on', chart: { mode: 'audit', claimedChartMode: 'enforce' } });
    const msg = expectFailedEvidence(error);
    expect(msg).toContain('HelmChart kube-system/probe in manifests/probe.yaml, field spec.valuesContent.mode: expected equals "enforce", actual "audit"');
    expect(readdirSync(parent)).toEqual([]);
  });

  it('checks chart values in the Terraform helm_release on cluster', async () => {
    const { error, parent } = await synthWithProbe('cluster', { mode: 'on', chart: { mode: 'audit', claimedChartMode: 'enforce' } });
    const msg = expectFailedEvidence(error);
    expect(msg).toContain('helm_release probe in terraform/cdk.tf.json, field resource.helm_release.probe.values[0].mode: expected equals "enforce", actual "audit"');
    expect(readdirSync(parent)).toEqual([]);
  });

  it('leaves an earlier output folder exactly as it was', async () => {
    const { error, parent, outDir } = await synthWithProbe('edge', { mode: 'permissive', claimedMode: 'enforcing' }, (out) => {
      mkdirSync(out);
      writeFileSync(join(out, 'earlier.txt'), 'from an earlier synth\n');
    });
    expectFailedEvidence(error);
    expect(readdirSync(parent)).toEqual(['edge']);
    expect(listFiles(outDir)).toEqual(['earlier.txt']);
    expect(readFileSync(join(outDir, 'earlier.txt'), 'utf8')).toBe('from an earlier synth\n');
    expect(existsSync(join(outDir, 'manifests'))).toBe(false);
  });
});
