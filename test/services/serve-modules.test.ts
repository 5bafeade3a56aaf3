/**
 * `sovra serve` is the service and its local inference only: a started
 * server has loaded none of the synth's machinery (cdk8s, cdktf, constructs,
 * the CycloneDX library, Sovra's model, views or synth), and Ajv only where
 * Fastify compiles its route schemas, never from Sovra's own code.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { sha256File, writeTinyModel } from '../../native/index.js';
import { collect, waitFor } from '../support/process.js';
import { REPO_ROOT } from '../support/shared.js';

const tmp = mkdtempSync(join(tmpdir(), 'sovra-serve-modules-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Parses the recorded edges into absolute paths. */
function edges(text: string): Array<{ parent: string; child: string }> {
  const path = (s: string) => (s.startsWith('file://') ? fileURLToPath(s) : s);
  return text
    .trim()
    .split('\n')
    .map((l) => l.split(' -> '))
    .map(([p, c]) => ({ parent: path(p!), child: path(c!) }));
}

it('a started server has loaded neither cdk8s, cdktf, constructs, CycloneDX nor any of the synth, and Ajv only inside Fastify', async () => {
  const model = join(tmp, 'tiny.gguf');
  await writeTinyModel(model);
  const record = join(tmp, 'modules.txt');
  const child = spawn(
    process.execPath,
    ['--import', join(REPO_ROOT, 'test/support/record-modules.mjs'), join(REPO_ROOT, 'bin/sovra.js'), 'serve', '--port', '0', '--oidc-issuer', 'http://127.0.0.1:9/', '--local-model', model, '--local-model-sha256', await sha256File(model), '--data-dir', join(tmp, 'data')],
    { cwd: tmp, env: { ...process.env, SOVRA_RECORD_MODULES: record } },
  );
  const out = collect(child);
  try {
    await waitFor(child, out, /listening on http:\/\/\S+/);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('close', r));
  }
  const loaded = edges(readFileSync(record, 'utf8'));
  const children = [...new Set(loaded.map((e) => e.child))];
  // The recording works: the service itself and Fastify are in it.
  expect(children.some((c) => c.includes(`${join('lib', 'services', 'server', 'start.js')}`))).toBe(true);
  expect(children.some((c) => c.includes(join('node_modules', 'fastify')))).toBe(true);
  const forbidden = [/node_modules\/cdk8s/, /node_modules\/cdk8s-plus-28/, /node_modules\/cdktf/, /node_modules\/constructs\//, /node_modules\/@cyclonedx\//, /node_modules\/ajv-formats-draft2019/];
  expect(children.filter((c) => forbidden.some((r) => r.test(c)))).toEqual([]);
  const sovraLib = join(REPO_ROOT, 'lib');
  const layers = ['constructs', 'profiles', 'controls', 'output', 'oscal', 'supply-chain', 'terraform', 'synth', 'apps'];
  expect(children.filter((c) => layers.some((l) => c.startsWith(join(sovraLib, l) + '/')))).toEqual([]);
  // Ajv is loaded by Fastify's schema compilers, never by Sovra.
  const ajvParents = loaded.filter((e) => /node_modules\/ajv\//.test(e.child) && !/node_modules\/ajv\//.test(e.parent)).map((e) => e.parent);
  expect(ajvParents.filter((p) => !p.includes('node_modules'))).toEqual([]);
});
