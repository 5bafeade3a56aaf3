/**
 * One layer per folder, enforced over the import graph of the sources (not
 * of tests, which may reach anything). The layers, bottom up:
 *
 *   core        nothing of Sovra
 *   contracts   facts shared across a boundary: core
 *   native      local inference: core, contracts
 *   services    the control plane service: core, contracts, native (its local tier)
 *   model       constructs, profiles, controls, policies: core, contracts, the model
 *   output      the written output read back, evidence, the view model: the model
 *   views       oscal, supply-chain, terraform: output, the model, each other
 *
 * `policies/` is model-level data, not a view: its rules are read by a
 * component (constructs/policy/admission emits them as admission policies)
 * as much as by the synth's gate, and they are pure data and pure functions
 * of objects that read nothing of the output, the views or the synth (the
 * view model's types only, which load no code).
 *   synth       every view and the model (never the service or local inference)
 *   apps        the cdk8s and cdktf entry points: synth and below
 *   cli         anything
 *
 * Only imports that load code count: `import type` is erased by the compiler.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/shared.js';

const MODEL = ['constructs', 'profiles', 'controls', 'policies'];
const VIEWS = ['oscal', 'supply-chain', 'terraform'];
const BELOW_SYNTH = ['core', 'contracts', ...MODEL, 'output', ...VIEWS];

/** Folders each folder may import from (its own included). */
export const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  core: ['core'],
  contracts: ['core', 'contracts'],
  native: ['core', 'contracts', 'native'],
  services: ['core', 'contracts', 'native', 'services'],
  ...Object.fromEntries(MODEL.map((m) => [m, ['core', 'contracts', ...MODEL]])),
  output: ['core', 'contracts', ...MODEL, 'output'],
  ...Object.fromEntries(VIEWS.map((v) => [v, ['core', 'contracts', ...MODEL, 'output', ...VIEWS]])),
  synth: [...BELOW_SYNTH, 'synth'],
  apps: [...BELOW_SYNTH, 'synth', 'apps'],
  cli: ['core', 'contracts', 'native', 'services', ...BELOW_SYNTH, 'synth', 'cli'],
};

/** npm packages a folder must not load: the service and local inference stay free of the synth's machinery. */
const FORBIDDEN_PACKAGES: Readonly<Record<string, readonly RegExp[]>> = {
  core: [/^cdk8s/, /^cdktf/, /^constructs$/, /^@cyclonedx\//, /^ajv/],
  contracts: [/^cdk8s/, /^cdktf/, /^constructs$/, /^@cyclonedx\//, /^ajv/],
  native: [/^cdk8s/, /^cdktf/, /^constructs$/, /^@cyclonedx\//, /^ajv/],
  services: [/^cdk8s/, /^cdktf/, /^constructs$/, /^@cyclonedx\//, /^ajv/],
};

/** Runtime import specifiers of a TypeScript source (static, re-exports, dynamic). */
export function runtimeImports(text: string): string[] {
  const out: string[] = [];
  const stat = /(?:^|[\n;])\s*(import|export)\s+(type\s+)?([^'";]*?\bfrom\s+)?['"]([^'"]+)['"]/g;
  for (const m of text.matchAll(stat)) {
    if (m[2]) continue; // import type / export type
    if (m[1] === 'export' && !m[3]) continue;
    // `import { type A, type B } from` loads nothing either.
    if (m[3] && /^\{\s*(type\s+[\w$]+\s*(as\s+[\w$]+\s*)?,?\s*)+\}\s*from\s+$/.test(m[3].trim() + ' ')) continue;
    out.push(m[4]!);
  }
  for (const m of text.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]!);
  return out;
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function topFolder(abs: string): string {
  return relative(REPO_ROOT, abs).split(sep)[0]!;
}

/** Every import that breaks the layering: `file -> target (why)`. */
function violations(): string[] {
  const found: string[] = [];
  for (const folder of Object.keys(ALLOWED)) {
    let files: string[];
    try {
      files = sources(join(REPO_ROOT, folder));
    } catch {
      continue;
    }
    for (const file of files) {
      for (const spec of runtimeImports(readFileSync(file, 'utf8'))) {
        const at = relative(REPO_ROOT, file);
        if (spec.startsWith('.')) {
          const target = topFolder(resolve(dirname(file), spec));
          if (!ALLOWED[folder]!.includes(target)) found.push(`${at} -> ${spec} (${folder} may not import ${target})`);
        } else if (!spec.startsWith('node:')) {
          const bad = (FORBIDDEN_PACKAGES[folder] ?? []).find((r) => r.test(spec));
          if (bad) found.push(`${at} -> ${spec} (${folder} may not load ${spec})`);
        }
      }
    }
  }
  return found;
}

describe('layers', () => {
  it('the scanner sees static, re-exported and dynamic imports, and skips type-only ones', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from '../b.js';",
      "import { type C, type D } from '../c.js';",
      "export { e } from './e.js';",
      "export type { F } from './f.js';",
      "const g = await import('../g.js');",
      "import {\n  h,\n  type I,\n} from '../h.js';",
      "import 'side-effect';",
    ].join('\n');
    expect(runtimeImports(text).sort()).toEqual(['../g.js', '../h.js', './a.js', './e.js', 'side-effect'].sort());
  });

  it('no source imports across its layer', () => {
    expect(violations()).toEqual([]);
  });

  it('every source folder has a layer', () => {
    const folders = readdirSync(REPO_ROOT, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !['node_modules', 'lib', 'dist', 'test', 'bench', 'scripts', 'cdktf.out'].includes(e.name))
      .filter((e) => sources(join(REPO_ROOT, e.name)).length > 0)
      .map((e) => e.name);
    expect(folders.filter((f) => !(f in ALLOWED))).toEqual([]);
  });
});
