/**
 * The README's set-up as a new user meets it: its two commands install with
 * `npm ci`, `.ci/run` runs them as written plus the conformance suite, and
 * the way the README puts `sovra` on the PATH (`npm link`) works.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/shared.js';
import { removeDir, tempDir } from '../support/synth-output.js';

const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const ci = readFileSync(join(REPO_ROOT, '.ci/run'), 'utf8');

/** The command of the ```sh block after `<!-- marker -->`, the way .ci/run extracts it. */
function readmeCommand(marker: string): string {
  const r = spawnSync('bash', ['-c', `${ci.slice(ci.indexOf('readme_command() {'), ci.indexOf('\n}\n', ci.indexOf('readme_command() {')) + 3)}\nreadme_command ${marker}`], { cwd: REPO_ROOT, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => removeDir(d)));

describe('the README commands', () => {
  it('install with npm ci, never npm install, and .ci/run runs them as written', () => {
    const main = readmeCommand('main-command');
    const test = readmeCommand('test-command');
    expect(main).toBe('npm ci && npm run build && node bin/sovra.js synth --profile edge');
    expect(test).toBe('npm ci && npm run fetch:image-parts && npm test');
    expect(readme).not.toMatch(/npm install &&/);
    expect(ci).toMatch(/bash -euo pipefail -c "\$test_command"/);
    expect(ci).toMatch(/bash -euo pipefail -c "\$main_command"/);
  });

  it('do not explain npm ci away: the old claim that npm ci refuses the lock is gone', () => {
    expect(readme).not.toMatch(/npm ci` refuses/);
    expect(readme).toMatch(/`npm ci` installs exactly what\s+`package-lock.json` pins/);
  });

  it('.ci/run also runs the conformance suite, and checks that npm install leaves the lock alone', () => {
    expect(ci).toMatch(/^npm run test:conformance$/m);
    expect(ci).toMatch(/^npm install --package-lock-only --ignore-scripts\ngit diff --exit-code package-lock.json$/m);
  });
});

describe('sovra on the PATH', () => {
  it('the README says how, and `npm link` puts a working `sovra` in npm’s bin folder', () => {
    expect(readme).toMatch(/run `npm link` once after `npm run build`/);
    // A throwaway global prefix, so the test links nothing into the real one.
    const prefix = tempDir('sovra-link-');
    dirs.push(prefix);
    const env = { ...process.env, npm_config_prefix: prefix, npm_config_update_notifier: 'false' };
    const link = spawnSync('npm', ['link', '--offline', '--no-audit', '--no-fund'], { cwd: REPO_ROOT, env, encoding: 'utf8' });
    expect(link.status, link.stderr).toBe(0);
    const r = spawnSync(join(prefix, 'bin', 'sovra'), ['--version'], { cwd: prefix, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('sovra 0.1.0\n');
  });
});
