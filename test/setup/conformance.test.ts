/**
 * `npm test` needs nothing beside the clone, and the comparisons with the
 * public originals live in `npm run test:conformance`, which fails (never
 * skips) with a message naming SOVRA_REFERENCE_DIR when the data is missing.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REFERENCE_DIR_VARIABLE, REPO_ROOT } from '../support/shared.js';

/** Every .ts/.mjs file of the repository outside node_modules, lib and dist, relative with POSIX separators. */
function sourceFiles(dir = REPO_ROOT): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    if (['node_modules', 'lib', 'dist', '.git', 'cdktf.out'].includes(e)) continue;
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (/\.(ts|mjs)$/.test(e)) out.push(relative(REPO_ROOT, p).split(sep).join('/'));
  }
  return out;
}

describe('npm test', () => {
  it('runs no conformance test', async () => {
    const { default: config } = (await import('../../vitest.config.js')) as { default: { test: { exclude: string[] } } };
    expect(config.test.exclude).toContain('test/conformance/**');
  });

  it('has no test that reads the reference data: only the conformance suite and its helpers do', () => {
    // The helpers the conformance tests use, the generator that `npm run gen` runs in CI, and this scanner.
    const allowed = new Set(['test/support/shared.ts', 'test/support/k8s-schema.ts', 'scripts/gen-catalog.mjs', 'scripts/gen-k8s-schemas.mjs', 'test/setup/conformance.test.ts']);
    const readers = sourceFiles()
      // Benchmarks are run by hand, never by a test command (bench/rag-query.ts builds pgvector from the reference source).
      .filter((f) => !f.startsWith('test/conformance/') && !f.startsWith('bench/') && !allowed.has(f))
      .filter((f) => /sharedPath\(|SHARED_DIR|['"`/]\.\.\/shared\b|\.\.\/\.\.\/shared\b/.test(readFileSync(join(REPO_ROOT, f), 'utf8')));
    expect(readers).toEqual([]);
  });
});

describe('npm run test:conformance', () => {
  it('fails, naming SOVRA_REFERENCE_DIR and what to put there, when the reference data is missing', () => {
    const missing = join(REPO_ROOT, '.no-such-reference-data');
    const r = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--config', 'vitest.conformance.config.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, [REFERENCE_DIR_VARIABLE]: missing, CI: '1' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    const out = r.stdout + r.stderr;
    expect(r.status, out).not.toBe(0);
    expect(out).toContain(`Reference data missing: the reference data folder ${missing} does not exist (${REFERENCE_DIR_VARIABLE}=${missing})`);
    for (const what of ['k8s/schema', 'oscal/content', 'sigstore/jsonschema', 'npm run test:conformance']) expect(out).toContain(what);
    expect(out).not.toMatch(/\bskipped\b/);
  });
});
