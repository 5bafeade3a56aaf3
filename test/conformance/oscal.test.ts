/**
 * The OSCAL view against the NIST originals in the reference data: the
 * schemas Sovra ships are byte for byte NIST's OSCAL 1.1.3 schemas, every
 * component definition of every profile validates against the original
 * component schema, and every claimed control is a control of the
 * SP 800-53 rev5 catalog that is not withdrawn.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import AjvModule from 'ajv';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emitComponentDefinitions } from '../../oscal/component-definition.js';
import { synthModel } from '../fixtures/synth-model.js';
import { REPO_ROOT, sharedPath } from '../support/shared.js';
import { PROFILES, listFiles, readJson, removeDir, synthAll, type ProfileName } from '../support/synth-output.js';

const Ajv = AjvModule.default;
const addFormats = addFormatsModule.default;

interface Prop { name: string; value: string }
interface ComponentDefinition {
  'component-definition': { components: Array<{ 'control-implementations'?: Array<{ 'implemented-requirements': Array<{ 'control-id': string }> }> }> };
}

let root: string | undefined;
let dirs: Record<ProfileName, string>;

beforeAll(async () => {
  ({ root, dirs } = await synthAll());
});
afterAll(() => removeDir(root));

/** A validator of the NIST original of an OSCAL schema in the reference data. */
function nistSchema(file: string) {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const schema = JSON.parse(readFileSync(sharedPath(`oscal/schema/${file}`), 'utf8')) as Record<string, unknown>;
  delete schema.$schema;
  return ajv.compile(schema);
}
const oscalSchema = nistSchema('oscal_component_schema.json');

/** Control ids of the SP 800-53 rev5 catalog in the reference data, with whether each is withdrawn. */
const catalog: Map<string, { withdrawn: boolean }> = (() => {
  type Control = { id: string; props?: Prop[]; controls?: Control[] };
  type Group = { controls?: Control[]; groups?: Group[] };
  const doc = JSON.parse(readFileSync(sharedPath('oscal/content/legacy-5.0.1/NIST_SP-800-53_rev5_catalog.json'), 'utf8')) as { catalog: Group };
  const ids = new Map<string, { withdrawn: boolean }>();
  const visit = (c: Control) => {
    ids.set(c.id, { withdrawn: (c.props ?? []).some((p) => p.name === 'status' && p.value === 'withdrawn') });
    c.controls?.forEach(visit);
  };
  const walk = (g: Group) => {
    g.controls?.forEach(visit);
    g.groups?.forEach(walk);
  };
  walk(doc.catalog);
  return ids;
})();

function oscalFiles(dir: string): string[] {
  return listFiles(dir).filter((f) => f === 'oscal/component-definition.json' || f.startsWith('oscal/component-definitions/'));
}

describe('the reference data', () => {
  it('has the catalog and rejects a broken component definition', () => {
    expect(catalog.get('sc-8')).toEqual({ withdrawn: false });
    expect(catalog.get('sc-8.1')).toEqual({ withdrawn: false });
    expect(catalog.get('ac-2.10')?.withdrawn).toBe(true);
    expect(oscalSchema({ 'component-definition': { uuid: 'not-a-uuid' } })).toBe(false);
  });
});

describe('the shipped OSCAL schemas', () => {
  it('are the NIST originals, and the emitted documents validate against the originals', () => {
    for (const f of ['oscal_component_schema.json', 'oscal_ssp_schema.json', 'oscal_assessment-results_schema.json', 'oscal_poam_schema.json']) {
      expect(readFileSync(join(REPO_ROOT, 'oscal/schema', f), 'utf8'), f).toBe(readFileSync(sharedPath(`oscal/schema/${f}`), 'utf8'));
    }
    for (const [path, doc] of emitComponentDefinitions(synthModel())) {
      expect(oscalSchema(doc), `${path}: ${JSON.stringify(oscalSchema.errors)}`).toBe(true);
    }
  });
});

describe.each(PROFILES)('profile %s', (profile) => {
  it('writes an SSP, a POA&M and assessment results valid against the NIST originals of their schemas', () => {
    for (const [f, schema] of [['oscal/ssp.json', 'oscal_ssp_schema.json'], ['oscal/poam.json', 'oscal_poam_schema.json'], ['oscal/assessment-results.json', 'oscal_assessment-results_schema.json']] as const) {
      const validate = nistSchema(schema);
      expect(validate(readJson(dirs[profile], f)), `${f}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(true);
    }
  });

  it('writes OSCAL documents that are valid OSCAL 1.1.3 component definitions', () => {
    const files = oscalFiles(dirs[profile]);
    expect(files.length).toBeGreaterThan(1);
    for (const f of files) {
      expect(oscalSchema(readJson(dirs[profile], f)), `${f}: ${JSON.stringify(oscalSchema.errors?.slice(0, 3))}`).toBe(true);
    }
  });

  it('claims only controls of the SP 800-53 rev5 catalog that are not withdrawn', () => {
    const claimed = new Set<string>();
    for (const f of oscalFiles(dirs[profile])) {
      for (const c of readJson<ComponentDefinition>(dirs[profile], f)['component-definition'].components) {
        for (const ci of c['control-implementations'] ?? []) for (const r of ci['implemented-requirements']) claimed.add(r['control-id']);
      }
    }
    expect(claimed.size).toBeGreaterThan(5);
    expect([...claimed].filter((id) => !catalog.has(id) || catalog.get(id)!.withdrawn)).toEqual([]);
  });
});
