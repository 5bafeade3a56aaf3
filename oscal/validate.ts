/**
 * Validation of emitted OSCAL documents against the NIST OSCAL 1.1.3 JSON
 * schemas shipped in `oscal/schema/` (Ajv 8, draft-07, with formats), plus a
 * check that every `control-id` names a control of the shipped catalog.
 */
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { SovraError } from '../core/errors.js';
import { precompiledValidator } from '../core/precompiled.js';
import { readShippedJson } from '../core/paths.js';
import { isControlId } from '../controls/catalog.js';

// ajv and ajv-formats are CommonJS with a `default` export; under NodeNext the default import is the module object.
const Ajv = AjvModule.default;
const addFormats = addFormatsModule.default;

/** The OSCAL document kinds Sovra writes. */
export type OscalKind = 'component-definition' | 'ssp' | 'assessment-results' | 'poam';

/** Every OSCAL kind Sovra writes (the build precompiles a validator for each). */
export const OSCAL_KINDS: readonly OscalKind[] = ['component-definition', 'ssp', 'assessment-results', 'poam'];

const SCHEMA_FILES: Record<OscalKind, string> = {
  'component-definition': 'oscal/schema/oscal_component_schema.json',
  ssp: 'oscal/schema/oscal_ssp_schema.json',
  'assessment-results': 'oscal/schema/oscal_assessment-results_schema.json',
  poam: 'oscal/schema/oscal_poam_schema.json',
};

const validators = new Map<OscalKind, ValidateFunction>();

/** The Ajv instance and schema of an OSCAL kind; `codeSource` keeps code for standalone output (scripts/gen-validators.mjs). */
export function oscalAjv(kind: OscalKind, codeSource = false): { ajv: InstanceType<typeof Ajv>; schema: object } {
  const ajv = new Ajv({ allErrors: true, strict: false, ...(codeSource ? { code: { source: true } } : {}) });
  addFormats(ajv);
  return { ajv, schema: readShippedJson<object>(SCHEMA_FILES[kind]) };
}

/** The validator of a shipped OSCAL schema: precompiled by the build, else compiled once on first use. */
function validatorFor(kind: OscalKind): ValidateFunction {
  let v = validators.get(kind);
  if (!v) {
    v = precompiledValidator(`oscal-${kind}`);
    if (!v) {
      const { ajv, schema } = oscalAjv(kind);
      v = ajv.compile(schema);
    }
    validators.set(kind, v);
  }
  return v;
}

/** The value at a JSON pointer inside `doc`, for error messages. */
function valueAt(doc: unknown, pointer: string): unknown {
  let cur: unknown = doc;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function show(value: unknown): string {
  const s = JSON.stringify(value);
  if (s === undefined) return 'nothing';
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

/** Picks the errors worth showing: the deepest ones (anyOf/oneOf wrappers report the same spot less precisely). */
function relevant(errors: readonly ErrorObject[]): ErrorObject[] {
  const depth = (e: ErrorObject): number => e.instancePath.split('/').length;
  const max = Math.max(...errors.map(depth));
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.instancePath} ${e.message ?? ''}`;
    if (depth(e) !== max || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function* controlIds(value: unknown, pointer: string): Generator<{ pointer: string; id: unknown }> {
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) yield* controlIds(v, `${pointer}/${i}`);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const p = `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (k === 'control-id') yield { pointer: p, id: v };
      else yield* controlIds(v, p);
    }
  }
}

/**
 * Throws `SovraError('invalid-output')` unless `doc` is a valid OSCAL 1.1.3
 * document of `kind` whose control ids all exist in SP 800-53 rev5. The
 * message names the document, the JSON pointer, the problem and the value.
 */
export function validateOscal(kind: OscalKind, doc: unknown, name: string = kind): void {
  const validate = validatorFor(kind);
  if (!validate(doc)) {
    const lines = relevant(validate.errors ?? []).slice(0, 5).map((e) => {
      const at = e.instancePath === '' ? '/' : e.instancePath;
      const extra = e.keyword === 'additionalProperties' ? ` ("${String((e.params as { additionalProperty?: string }).additionalProperty)}")` : '';
      return `at ${at}: ${e.message ?? e.keyword}${extra} (value: ${show(valueAt(doc, e.instancePath))})`;
    });
    throw new SovraError('invalid-output', `OSCAL ${kind} "${name}" does not match the OSCAL 1.1.3 schema: ${lines.join('; ')}.`);
  }
  const unknown = [...controlIds(doc, '')].filter((c) => typeof c.id !== 'string' || !isControlId(c.id));
  if (unknown.length > 0) {
    const lines = unknown.slice(0, 5).map((c) => `at ${c.pointer}: unknown or withdrawn SP 800-53 rev5 control id (value: ${show(c.id)})`);
    throw new SovraError('invalid-output', `OSCAL ${kind} "${name}" names controls that are not in the SP 800-53 rev5 catalog: ${lines.join('; ')}.`);
  }
}
