/**
 * The registry and the component folders agree: each registered component
 * is the folder `constructs/<layer>/<id>/` with its definition, each
 * settings fragment belongs to a registered component, and the committed
 * profile schema is the composition of the fragments.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../test/support/shared.js';
import { COMPONENTS } from './registry.js';

// The composer is the script `npm run gen` runs; the test runs the same code.
const { composeProfileSchema, settingsFragments } = (await import(join(REPO_ROOT, 'scripts/gen-profile-schema.mjs'))) as {
  composeProfileSchema(root: string): object;
  settingsFragments(root: string): Array<[string, string]>;
};

describe('the component registry', () => {
  it.each(COMPONENTS.map((d) => [d.id, d] as const))('%s lives in constructs/<its layer>/<its id>/ with its definition', (id, d) => {
    const dir = join(REPO_ROOT, 'constructs', d.layer, id);
    expect(existsSync(join(dir, 'definition.ts')), dir).toBe(true);
    expect(readFileSync(join(dir, 'definition.ts'), 'utf8')).toContain(`id: '${id}'`);
  });

  it('has one folder per layer and nothing else beside the kit', () => {
    const layers = readdirSync(join(REPO_ROOT, 'constructs'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    expect(layers).toEqual(['kit', ...new Set(COMPONENTS.map((d) => d.layer))].sort());
  });

  it('every settings fragment belongs to a registered component', () => {
    const ids = new Set(COMPONENTS.map((d) => d.id));
    for (const [id, file] of settingsFragments(REPO_ROOT)) expect(ids.has(id), file).toBe(true);
  });

  it('the committed profile schema is the base composed with every fragment (npm run gen)', () => {
    const committed = JSON.parse(readFileSync(join(REPO_ROOT, 'profiles/profile.schema.json'), 'utf8')) as object;
    expect(committed).toEqual(composeProfileSchema(REPO_ROOT));
  });
});
