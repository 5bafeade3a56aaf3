/**
 * `sovra keygen` in a git work tree: a private key that `git add -A` would
 * commit gets a warning (the key is still written), an ignored one does not,
 * and this repository's .gitignore ignores keys and synth output, so the
 * README's `keygen --out signing` and `synth` in the checkout commit neither.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sovra } from '../support/process.js';
import { REPO_ROOT } from '../support/shared.js';
import { removeDir, tempDir } from '../support/synth-output.js';

let root: string;
// Git must not find a repository above the temporary folders.
const env = () => ({ GIT_CEILING_DIRECTORIES: dirname(root) });

function git(cwd: string, ...args: string[]) {
  return spawnSync('git', args, { cwd, env: { ...process.env, ...env() }, encoding: 'utf8' });
}

/** A fresh git work tree named `name`, with `gitignore` as its .gitignore when given. */
function workTree(name: string, gitignore?: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  expect(git(dir, 'init', '-q').status).toBe(0);
  if (gitignore !== undefined) writeFileSync(join(dir, '.gitignore'), gitignore);
  return dir;
}

beforeAll(() => {
  root = tempDir('sovra-keygen-git-');
});
afterAll(() => removeDir(root));

describe('sovra keygen in a git work tree', () => {
  it('warns when git does not ignore the private key, naming it and the fix, and still writes the pair', async () => {
    const dir = workTree('plain');
    const r = await sovra(['keygen', '--out', 'signing'], env(), dir);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(dir, 'signing.key'))).toBe(true);
    expect(r.stderr).toBe(
      `sovra keygen: warning: signing.key is in the git work tree ${git(dir, 'rev-parse', '--show-toplevel').stdout.trim()} and git does not ignore it, so \`git add -A\` would commit the private key. ` +
        'Add "*.key" to the .gitignore there, or keep keys outside the work tree.\n',
    );
    // The warning is true: git would add it.
    expect(git(dir, 'add', '-A', '--dry-run').stdout).toContain('signing.key');
  });

  it('warns for a key in a subfolder of the work tree too', async () => {
    const dir = workTree('nested');
    mkdirSync(join(dir, 'keys'));
    const r = await sovra(['keygen', '--out', join(dir, 'keys', 'ci')], env(), root);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`${join(dir, 'keys', 'ci')}.key is in the git work tree`);
  });

  it('says nothing when git ignores the key, or outside any work tree', async () => {
    const ignored = workTree('ignored', '*.key\n');
    const quiet = await sovra(['keygen', '--out', 'signing'], env(), ignored);
    expect(quiet.status).toBe(0);
    expect(quiet.stderr).toBe('');
    const outside = join(root, 'no-git');
    mkdirSync(outside);
    const r = await sovra(['keygen', '--out', 'signing'], env(), outside);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });
});

describe("this repository's .gitignore", () => {
  it('ignores private keys and the synth output, so git add -A in the checkout commits neither', () => {
    const dir = workTree('gitignore-of-repo');
    copyFileSync(join(REPO_ROOT, '.gitignore'), join(dir, '.gitignore'));
    for (const p of ['signing.key', 'keys/ci.key', 'audit.key.pem', 'dist/edge/sbom.cdx.json']) {
      expect(git(dir, 'check-ignore', '-q', '--', p).status, p).toBe(0);
    }
    // The public half may be committed.
    expect(git(dir, 'check-ignore', '-q', '--', 'signing.pub').status).toBe(1);
  });
});
