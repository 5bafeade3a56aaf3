/**
 * prepareSchema changes how a schema is written, never what it accepts: the
 * objects the three profiles emit, and thousands of variants of them with
 * one field of the wrong type or one unknown field, get the same verdict and
 * the same errors from the prepared schema as from the shipped schema
 * compiled with only the known defects fixed.
 */
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../../profiles/load.js';
import { buildPlatform, renderObjects } from '../../synth/synth.js';
import { K8S_FORMATS } from './formats.js';
import { jsPattern } from './go-pattern.js';
import { OBJECT_META_SCHEMA, lookupKind } from './kinds.js';
import { prepareSchema } from './prepare-schema.js';
import { readShippedSchema } from './schema-validator.js';

const Ajv = AjvModule.default;
const addFormats = addFormatsModule.default;

/** The shipped schema with only what Ajv needs changed: no $schema, JavaScript patterns; CRDs get ObjectMeta and a closed top level. */
function reference(path: string): object {
  const fix = (n: unknown): unknown => {
    if (Array.isArray(n)) return n.map(fix);
    if (n === null || typeof n !== 'object') return n;
    return Object.fromEntries(Object.entries(n).map(([k, v]) => [k, k === 'pattern' && typeof v === 'string' ? jsPattern(v) : fix(v)]));
  };
  const schema = fix(readShippedSchema(path)) as Record<string, unknown>;
  delete schema.$schema;
  if (!path.startsWith('crds/')) return schema;
  const meta = (fix(readShippedSchema(OBJECT_META_SCHEMA)) as { properties: { metadata: object } }).properties.metadata;
  return { ...schema, properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, ...(schema.properties as object), metadata: meta }, additionalProperties: false, required: [...((schema.required as string[]) ?? []), 'apiVersion', 'kind', 'metadata'] };
}

function compile(schema: object): ValidateFunction {
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, formats: { ...K8S_FORMATS }, logger: false });
  addFormats(ajv, ['date-time', 'ipv4', 'ipv6']);
  return ajv.compile(schema);
}

/** Variants of `obj`: each leaf with a value of another type, each object with an unknown field. */
function* variants(obj: unknown): Generator<unknown> {
  const paths: Array<Array<string | number>> = [];
  const walk = (n: unknown, path: Array<string | number>) => {
    paths.push(path);
    if (Array.isArray(n)) n.forEach((v, i) => walk(v, [...path, i]));
    else if (n !== null && typeof n === 'object') for (const [k, v] of Object.entries(n)) walk(v, [...path, k]);
  };
  walk(obj, []);
  for (const path of paths) {
    const copy = structuredClone(obj) as Record<string | number, unknown>;
    let parent: Record<string | number, unknown> = copy;
    for (const seg of path.slice(0, -1)) parent = parent[seg] as Record<string | number, unknown>;
    const last = path[path.length - 1];
    const target = last === undefined ? copy : parent[last];
    if (target !== null && typeof target === 'object' && !Array.isArray(target)) {
      (target as Record<string, unknown>).zzUnknown = 1;
      yield copy;
    } else if (last !== undefined && !Array.isArray(target)) {
      parent[last] = typeof target === 'string' ? 12345 : 'x';
      yield copy;
    }
  }
}

const summary = (errors: readonly ErrorObject[] | null | undefined): string[] =>
  [...new Set((errors ?? []).map((e) => `${e.instancePath} ${e.keyword} ${e.message} ${JSON.stringify(e.params)}`))].sort();

describe('prepareSchema', () => {
  const objects = ['dev', 'edge', 'cluster'].flatMap((p) => [...renderObjects(buildPlatform(loadProfile(p)).platform).values()].flat()) as Array<{ apiVersion: string; kind: string }>;
  const byPath = new Map<string, unknown[]>();
  for (const o of objects) {
    const path = lookupKind(o.apiVersion, o.kind).schema!.schema;
    byPath.set(path, [...(byPath.get(path) ?? []), o]);
  }

  it('covers core and CRD schemas', () => {
    expect([...byPath.keys()].some((p) => p.startsWith('schema/'))).toBe(true);
    expect([...byPath.keys()].some((p) => p.startsWith('crds/'))).toBe(true);
  });

  it.each([...byPath.keys()].sort())('accepts and rejects exactly what %s does', (path) => {
    const ref = compile(reference(path));
    const prepared = compile(prepareSchema(path, readShippedSchema));
    let checked = 0;
    let rejected = 0;
    for (const obj of byPath.get(path)!) {
      expect(prepared(obj), JSON.stringify(prepared.errors)).toBe(true);
      for (const v of variants(obj)) {
        const a = ref(v);
        const b = prepared(v);
        expect(b).toBe(a);
        expect(summary(prepared.errors)).toEqual(summary(ref.errors));
        checked++;
        if (!a) rejected++;
      }
    }
    // The variants exercise the schema: most of them break it.
    expect(checked).toBeGreaterThan(10);
    expect(rejected).toBeGreaterThan(checked / 2);
  });

  it('is deterministic, drops annotations and shares types', () => {
    const path = 'schema/v1.30.10-standalone-strict/deployment-apps-v1.json';
    const a = JSON.stringify(prepareSchema(path, readShippedSchema));
    expect(JSON.stringify(prepareSchema(path, readShippedSchema))).toBe(a);
    expect(a).not.toContain('"description"');
    expect(a).not.toContain('x-kubernetes-');
    expect(a.length).toBeLessThan(JSON.stringify(readShippedSchema(path)).length / 5);
    const defs = Object.keys((JSON.parse(a) as { definitions: object }).definitions);
    expect(defs.length).toBeGreaterThan(20);
    expect(defs.every((d) => /^s[0-9a-f]{16}$/.test(d))).toBe(true);
  });

  it('closes the top level of CRD objects and checks their metadata as ObjectMeta', () => {
    const s = prepareSchema('crds/helm.cattle.io/helmchart_v1.json', readShippedSchema) as { additionalProperties: unknown; required: string[]; properties: { metadata: unknown } };
    expect(s.additionalProperties).toBe(false);
    expect(s.required).toEqual(expect.arrayContaining(['apiVersion', 'kind', 'metadata']));
    expect(s.properties.metadata).toEqual({ $ref: expect.stringMatching(/^#\/definitions\/s[0-9a-f]{16}$/) });
  });
});
