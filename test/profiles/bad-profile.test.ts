/**
 * A bad profile file fails `sovra synth` before anything is written: one
 * message naming the file, the JSON path, the bad value and what is allowed,
 * exit status 3 (bad-profile), no stack trace, no output folder and no
 * staging folder.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../../core/errors.js';
import { REPO_ROOT } from '../support/shared.js';
import { removeDir, tempDir } from '../support/synth-output.js';

let root: string;
beforeAll(() => {
  root = tempDir();
});
afterAll(() => removeDir(root));

/** Runs `sovra synth --profile ./<file>` in a folder of its own holding only that file. */
function synthWith(name: string, file: string, text: string) {
  const cwd = join(root, name);
  mkdirSync(cwd);
  writeFileSync(join(cwd, file), text);
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/sovra.js'), 'synth', '--profile', `./${file}`, '--out', 'dist/site'], { cwd, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, left: readdirSync(cwd) };
}

const cases: Array<{ name: string; text: string; expect: string[] }> = [
  {
    name: 'unknown key',
    text: 'extends: edge\nnats:\n  fileStorage: 20Gi\n  size: 3Gi\n',
    expect: ['/nats/size', 'unknown key "size"', 'allowed keys in /nats: fileStorage, memoryStorage'],
  },
  {
    name: 'unknown top-level key',
    text: 'extends: edge\nreplica: 3\n',
    expect: ['/replica', 'unknown key "replica"', 'replicas', 'highAvailability'],
  },
  {
    name: 'wrong type',
    text: 'extends: edge\nreplicas:\n  stateless: "three"\n',
    expect: ['/replicas/stateless', '"three"', 'integer'],
  },
  {
    name: 'unknown extends',
    text: 'extends: prod\n',
    expect: ['/extends', '"prod"', 'allowed values: dev, edge, cluster'],
  },
  {
    name: 'bad enum value',
    text: 'extends: cluster\ndistribution:\n  kind: k8s\n',
    expect: ['/distribution/kind', '"k8s"', 'allowed values: "k3s", "rke2"'],
  },
  {
    name: 'bad quantity',
    text: 'extends: dev\nnats:\n  fileStorage: 20GB\n',
    expect: ['/nats/fileStorage', '"20GB"', '^[1-9][0-9]*(Mi|Gi|Ti)$'],
  },
];

describe.each(cases)('a profile file with $name', ({ name, text, expect: parts }) => {
  it('fails with exit 3 naming file, path, value and what is allowed, and writes nothing', () => {
    const file = `${name.replace(/\W+/g, '-')}.yaml`;
    const r = synthWith(name.replace(/\W+/g, '-'), file, text);
    expect(r.status).toBe(EXIT_CODES['bad-profile']);
    expect(r.status).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^sovra: profile file \.\//);
    expect(r.stderr).toContain(`./${file}`);
    for (const p of parts) expect(r.stderr).toContain(p);
    // One paragraph, no stack trace.
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr.trimEnd()).not.toContain('\n\n');
    // Neither dist/site nor a staging folder nor dist/ itself.
    expect(r.left).toEqual([file]);
  });
});

it('lists every problem of a file at once', () => {
  const r = synthWith('many', 'many.yaml', 'extends: edge\nbaseline: MEDIUM\nairGapped: "yes"\nnats:\n  size: 1\n');
  expect(r.status).toBe(3);
  for (const p of ['/baseline', '"MEDIUM"', '/airGapped', '"yes"', 'boolean', '/nats/size']) expect(r.stderr).toContain(p);
  expect(r.left).toEqual(['many.yaml']);
});

it('refuses a file that is not YAML, a missing file and an unknown built-in name with exit 3', () => {
  expect(synthWith('not-yaml', 'broken.yaml', 'extends: edge\nnats: [unclosed\n').status).toBe(3);
  const cwd = join(root, 'missing');
  mkdirSync(cwd);
  for (const ref of ['./absent.yaml', 'production']) {
    const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/sovra.js'), 'synth', '--profile', ref], { cwd, encoding: 'utf8' });
    expect(r.status, ref).toBe(3);
    expect(r.stderr).toContain(ref);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }
  expect(readdirSync(cwd)).toEqual([]);
});

it('refuses a profile whose values contradict each other (CIS profile on K3s) before writing', () => {
  const r = synthWith('contradiction', 'k3s-cis.yaml', 'extends: edge\ndistribution:\n  cisProfile: true\n');
  expect(r.status).toBe(3);
  expect(r.stderr).toContain('distribution.cisProfile');
  expect(r.stderr).toContain('rke2');
  expect(r.left).toEqual(['k3s-cis.yaml']);
});
