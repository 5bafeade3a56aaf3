/**
 * The output tree: renamed into place whole, and its folders get the mode
 * any folder gets (0777 less the umask), not mkdtemp's private 0700, so the
 * people and tools that deploy the output can read it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../test/support/synth-output.js';
import { StagedDirectory } from './output-dir.js';

const root = tempDir('sovra-output-dir-');
const umask = process.umask();
afterEach(() => void process.umask(umask));
afterAll(() => removeDir(root));

const mode = (p: string) => statSync(p).mode & 0o777;

describe('StagedDirectory', () => {
  it.each([
    [0o022, 0o755],
    [0o027, 0o750],
    [0o077, 0o700],
  ])('with umask %o makes the output folder and its subfolders %o', (mask, expected) => {
    process.umask(mask);
    const target = join(root, `out-${mask.toString(8)}`, 'edge');
    const staged = new StagedDirectory(target);
    staged.write('manifests/cilium.yaml', 'kind: x\n');
    staged.write('oscal/component-definitions/a.json', '{}\n');
    staged.commit();
    for (const dir of [target, join(target, 'manifests'), join(target, 'oscal'), join(target, 'oscal/component-definitions'), join(root, `out-${mask.toString(8)}`)]) {
      expect(mode(dir), dir).toBe(expected);
    }
    expect(readFileSync(join(target, 'manifests/cilium.yaml'), 'utf8')).toBe('kind: x\n');
  });

  it('replaces an older output whole and leaves no staging folder; abort leaves the old one', () => {
    const target = join(root, 'replace', 'edge');
    const first = new StagedDirectory(target);
    first.write('a.txt', 'old');
    first.commit();
    const second = new StagedDirectory(target);
    second.write('b.txt', 'new');
    second.commit();
    expect(readdirSync(target)).toEqual(['b.txt']);
    const third = new StagedDirectory(target);
    third.write('c.txt', 'never');
    third.abort();
    expect(existsSync(third.staging)).toBe(false);
    expect(readdirSync(join(root, 'replace'))).toEqual(['edge']);
    expect(readdirSync(target)).toEqual(['b.txt']);
  });
});
