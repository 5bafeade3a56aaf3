/**
 * A bad profile file fails `sovra synth` before anything is written: one
 * message naming the file, the JSON path, the bad value and what is allowed,
 * exit status 3 (bad-profile), no stack trace, no output folder and no
 * staging folder.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../../core/errors.js';
import { REPO_ROOT } from '../support/shared.js';
import { removeDir, tempDir } from '../support/synth-output.js';

let root: string;
interface Outcome { status: number | null; stdout: string; stderr: string; left: string[] }

/** Runs `sovra synth --profile <ref>` in `cwd`; resolves with what it printed and what is left in `cwd`. */
function sovra(cwd: string, ref: string, out?: string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/sovra.js'), 'synth', '--profile', ref, ...(out ? ['--out', out] : [])], { cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr, left: readdirSync(cwd) }));
  });
}

/** Runs `sovra synth --profile ./<file>` in a folder of its own holding only that file. */
function synthWith(name: string, file: string, text: string): Promise<Outcome> {
  const cwd = join(root, name);
  mkdirSync(cwd);
  writeFileSync(join(cwd, file), text);
  return sovra(cwd, `./${file}`, 'dist/site');
}

// Every run is independent: they are started together in beforeAll so the file stays fast.
const runs = new Map<string, Promise<Outcome>>();

const cases: Array<{ name: string; text: string; expect: string[] }> = [
  {
    name: 'unknown key',
    text: 'extends: edge\ncomponents:\n  nats:\n    fileStorage: 20Gi\n    size: 3Gi\n',
    expect: ['/components/nats/size', 'unknown key "size"', 'allowed keys in /components/nats: fileStorage, memoryStorage'],
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
    text: 'extends: dev\ncomponents:\n  nats:\n    fileStorage: 50 GB\n',
    expect: ['/components/nats/fileStorage: "50 GB" is not in the expected form (JetStream file store size per server (Kubernetes quantity)); write it like "50Gi"'],
  },
];

const slug = (name: string) => name.replace(/\W+/g, '-');

beforeAll(() => {
  root = tempDir();
  for (const c of cases) runs.set(c.name, synthWith(slug(c.name), `${slug(c.name)}.yaml`, c.text));
  runs.set('many', synthWith('many', 'many.yaml', 'extends: edge\nbaseline: MEDIUM\nairGapped: "yes"\ncomponents:\n  nats:\n    size: 1\n'));
  runs.set('not-yaml', synthWith('not-yaml', 'broken.yaml', 'extends: edge\nnats: [unclosed\n'));
  runs.set('contradiction', synthWith('contradiction', 'k3s-cis.yaml', 'extends: edge\ndistribution:\n  cisProfile: true\n'));
  const cwd = join(root, 'missing');
  mkdirSync(cwd);
  runs.set('absent', sovra(cwd, './absent.yaml'));
  runs.set('production', sovra(cwd, 'production'));
});
afterAll(() => removeDir(root));

describe.each(cases)('a profile file with $name', ({ name, expect: parts }) => {
  it('fails with exit 3 naming file, path, value and what is allowed, and writes nothing', async () => {
    const file = `${slug(name)}.yaml`;
    const r = await runs.get(name)!;
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

it('shows an example of a good value, not the regular expression that checks it', async () => {
  const r = await runs.get('bad quantity')!;
  expect(r.stderr).toContain('write it like "50Gi"');
  expect(r.stderr).not.toContain('^[1-9]');
  expect(r.stderr).not.toContain('does not match');
});

it('lists every problem of a file at once', async () => {
  const r = await runs.get('many')!;
  expect(r.status).toBe(3);
  for (const p of ['/baseline', '"MEDIUM"', '/airGapped', '"yes"', 'boolean', '/components/nats/size']) expect(r.stderr).toContain(p);
  expect(r.left).toEqual(['many.yaml']);
});

it('refuses a file that is not YAML, a missing file and an unknown built-in name with exit 3', async () => {
  expect((await runs.get('not-yaml')!).status).toBe(3);
  for (const ref of ['./absent.yaml', 'production']) {
    const r = await runs.get(ref.replace(/^\.\/|\.yaml$/g, ''))!;
    expect(r.status, ref).toBe(3);
    expect(r.stderr).toContain(ref);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.left).toEqual([]);
  }
});

it('refuses a profile whose values contradict each other (CIS profile on K3s) before writing', async () => {
  const r = await runs.get('contradiction')!;
  expect(r.status).toBe(3);
  expect(r.stderr).toContain('distribution.cisProfile');
  expect(r.stderr).toContain('rke2');
  expect(r.left).toEqual(['k3s-cis.yaml']);
});
