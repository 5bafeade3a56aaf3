/**
 * Turns a shipped Kubernetes schema into the schema Sovra compiles. The
 * shipped files stay byte-identical to the reference data; everything here
 * is a deterministic function of them, applied at compile time:
 *
 * 1. Known defects of the data (see ../shared/PITFALLS.md): the `$schema`
 *    that Ajv 8 rejects goes; RE2 patterns become JavaScript ones
 *    (go-pattern.ts).
 * 2. CRD schemas (datreeio) leave `metadata` open and accept unknown
 *    top-level keys, which the API server would prune silently: `metadata`
 *    is checked against the core ObjectMeta, unknown top-level keys are
 *    refused, and `apiVersion`, `kind` and `metadata` are required (as
 *    strings where the CRD does not describe them, as Istio's do not).
 * 3. Size. The standalone core schemas inline every type where it is used
 *    (a Deployment is 650 KB: Container three times, Probe many times), and
 *    Ajv's standalone code grows with that: compiled as they are, the
 *    shipped schemas come to about 35 MB of code and 30 s of build. Words
 *    that do not validate (descriptions, defaults, examples, `x-kubernetes-*`)
 *    are dropped, and object types become definitions named by their content
 *    (see {@link share}): 13 MB of code in all, 4-5 s of build, a Deployment
 *    0.46 MB. What is valid does not change.
 */
import { createHash } from 'node:crypto';
import { jsPattern } from './go-pattern.js';
import { OBJECT_META_SCHEMA } from './kinds.js';

type Schema = Record<string, unknown>;

/** Keywords whose value is a map of names to subschemas. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions']);
/** Keywords whose value is one subschema (`items` may also be a list). */
const SCHEMA_ONE = new Set(['items', 'additionalProperties', 'additionalItems', 'not', 'contains', 'propertyNames', 'if', 'then', 'else']);
/** Keywords whose value is a list of subschemas. */
const SCHEMA_LISTS = new Set(['anyOf', 'oneOf', 'allOf']);
/** Keywords that only annotate: they change no validation result. */
const ANNOTATIONS = new Set(['$schema', '$id', '$comment', 'description', 'title', 'default', 'example', 'examples', 'readOnly', 'writeOnly']);

/** Object schemas smaller than this (in JSON characters) stay inline: a function costs more than it saves. */
const MIN_SHARED_SIZE = 100;

/** `schema` without annotations, keys sorted, patterns in JavaScript form. */
function clean(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(clean);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Schema = {};
  for (const k of Object.keys(schema).sort()) {
    const v = (schema as Schema)[k];
    if (ANNOTATIONS.has(k) || k.startsWith('x-kubernetes-')) continue;
    if (SCHEMA_MAPS.has(k) && v !== null && typeof v === 'object') {
      out[k] = Object.fromEntries(Object.keys(v).sort().map((name) => [name, clean((v as Schema)[name])]));
    } else if (SCHEMA_ONE.has(k) || SCHEMA_LISTS.has(k)) out[k] = clean(v);
    else if (k === 'pattern' && typeof v === 'string') out[k] = jsPattern(v);
    else out[k] = v;
  }
  return out;
}

/**
 * Moves every object schema below the root (of {@link MIN_SHARED_SIZE} or
 * more) into `definitions`, named by its content, and refers to it there:
 * Ajv compiles each definition once, as a function, so a type used in many
 * places is compiled once; and a nested type in a function of its own keeps
 * the generated code's paths short (measured: 13 MB for all shipped schemas
 * against 14 MB when only repeated types move, 35 MB inline).
 */
function share(root: Schema): Schema {
  const definitions = new Map<string, Schema>();
  const replace = (node: unknown, isRoot = false): unknown => {
    if (Array.isArray(node)) return node.map((n) => replace(n));
    if (node === null || typeof node !== 'object') return node;
    const out = mapSubschemas(node as Schema, (s) => replace(s));
    if (isRoot || out.properties === undefined) return out;
    const text = JSON.stringify(out);
    if (text.length < MIN_SHARED_SIZE) return out;
    const name = `s${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
    definitions.set(name, out);
    return { $ref: `#/definitions/${name}` };
  };
  const out = replace(root, true) as Schema;
  if (definitions.size === 0) return out;
  if (out.definitions !== undefined) throw new Error('a Kubernetes schema with its own definitions: output/kubernetes/prepare-schema.ts cannot share its types');
  return { ...out, definitions: Object.fromEntries([...definitions].sort(([a], [b]) => (a < b ? -1 : 1))) };
}

/** A copy of `s` whose direct subschemas are replaced by `f` of them. */
function mapSubschemas(s: Schema, f: (sub: unknown) => unknown): Schema {
  const out: Schema = {};
  for (const [k, v] of Object.entries(s)) {
    if (SCHEMA_MAPS.has(k) && v !== null && typeof v === 'object') out[k] = Object.fromEntries(Object.entries(v).map(([name, sub]) => [name, f(sub)]));
    else if (SCHEMA_LISTS.has(k) && Array.isArray(v)) out[k] = v.map(f);
    else if (SCHEMA_ONE.has(k) && Array.isArray(v)) out[k] = v.map(f);
    else if (SCHEMA_ONE.has(k) && v !== null && typeof v === 'object') out[k] = f(v);
    else out[k] = v;
  }
  return out;
}

/**
 * The schema to compile for the shipped schema at `path` (relative to the
 * schema folder); `read` parses a shipped schema by such a path.
 */
export function prepareSchema(path: string, read: (path: string) => unknown): Schema {
  let schema = clean(read(path)) as Schema;
  if (path.startsWith('crds/')) {
    const core = clean(read(OBJECT_META_SCHEMA)) as { properties: { metadata: Schema } };
    // Some CRDs (Istio's) describe only spec and status: apiVersion and kind are still fields of every object.
    const properties = { apiVersion: { type: 'string' }, kind: { type: 'string' }, ...(schema.properties as Schema | undefined), metadata: core.properties.metadata };
    const required = [...new Set([...((schema.required as string[] | undefined) ?? []), 'apiVersion', 'kind', 'metadata'])];
    schema = { ...schema, properties, additionalProperties: false, required };
  }
  return share(schema);
}
