/**
 * Which prebuilt llama.cpp build local inference needs, and the error when
 * it is missing, simulated for other platforms by resolving packages from a
 * folder whose node_modules lacks them (a real lookup, not a mock).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { isSovraError, type SovraError } from '../core/errors.js';
import { REPO_ROOT } from '../test/support/shared.js';
import { removeDir, tempDir } from '../test/support/synth-output.js';
import { prebuiltBuildFor, requirePrebuiltBuild } from './prebuilt.js';

const empty = tempDir('sovra-prebuilt-');
mkdirSync(join(empty, 'node_modules'));
writeFileSync(join(empty, 'package.json'), '{}\n');
const fromEmpty = pathToFileURL(join(empty, 'x.js'));
const fromRepo = pathToFileURL(join(REPO_ROOT, 'native', 'prebuilt.ts'));
afterAll(() => removeDir(empty));

function failure(fn: () => unknown): SovraError {
  try {
    fn();
  } catch (e) {
    if (isSovraError(e)) return e;
    throw e;
  }
  throw new Error('expected a SovraError');
}

const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string; optionalDependencies?: Record<string, string> }> };
const nodeLlamaCpp = lock.packages['node_modules/node-llama-cpp']!;

describe('requirePrebuiltBuild', () => {
  it('finds the build of the machine running the tests (linux-x64 in CI)', () => {
    const build = requirePrebuiltBuild(process.platform, process.arch, fromRepo);
    expect(build).toEqual(prebuiltBuildFor(process.platform, process.arch));
  });

  it('names the missing package of Linux arm64, how to install it, and the glibc requirement', () => {
    const e = failure(() => requirePrebuiltBuild('linux', 'arm64', fromEmpty));
    expect(e.code).toBe('bad-config');
    expect(e.message).toContain('Local inference on linux-arm64 needs');
    expect(e.message).toContain('@node-llama-cpp/linux-arm64, which is not installed');
    expect(e.message).toContain('--omit=optional');
    expect(e.message).toContain('glibc');
  });

  it('names the Apple silicon build (the Metal one, used with no layers offloaded) and, from the repo, its exact version', () => {
    expect(prebuiltBuildFor('darwin', 'arm64')).toEqual({ package: '@node-llama-cpp/mac-arm64-metal', gpu: 'metal' });
    // Not installed on Linux: npm skips packages for another os.
    const e = failure(() => requirePrebuiltBuild('darwin', 'x64', fromRepo));
    expect(e.message).toContain('Local inference on darwin-x64 needs');
    expect(e.message).toContain(`npm install --no-save @node-llama-cpp/mac-x64@${nodeLlamaCpp.version}`);
    expect(e.message).not.toContain('glibc');
  });

  it('says plainly when node-llama-cpp publishes no build for the platform', () => {
    const e = failure(() => requirePrebuiltBuild('aix', 'ppc64', fromRepo));
    expect(e.message).toMatch(/^Local inference is not available on aix-ppc64: .*linux-x64.*Use an upstream tier/);
  });

  it('knows only packages node-llama-cpp itself lists as its optional builds', () => {
    const listed = Object.keys(nodeLlamaCpp.optionalDependencies ?? {});
    for (const [platform, arch] of [['linux', 'x64'], ['linux', 'arm64'], ['linux', 'arm'], ['linux', 'riscv64'], ['darwin', 'x64'], ['darwin', 'arm64'], ['win32', 'x64'], ['win32', 'arm64']] as const) {
      expect(listed).toContain(prebuiltBuildFor(platform, arch)!.package);
    }
  });
});
