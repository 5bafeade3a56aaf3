/**
 * One validator per shipped Kubernetes schema: precompiled by the build
 * (scripts/gen-validators.mjs writes `lib/validators/k8s-<schema>.cjs`), else
 * compiled once at first use. Each schema is its own module so a synth loads
 * only the kinds it emits (the edge profile's eight load in about 40 ms; one
 * module holding every kind took about 0.5 s to load).
 */
import { readFileSync } from 'node:fs';
import AjvModule, { type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { precompiledValidator } from '../../core/precompiled.js';
import { shipped } from '../../core/paths.js';
import { K8S_FORMATS } from './formats.js';
import { K8S_SCHEMA_DIR } from './kinds.js';
import { prepareSchema } from './prepare-schema.js';

// ajv and ajv-formats are CommonJS with a `default` export; under NodeNext the default import is the module object.
const Ajv = AjvModule.default;
const addFormats = addFormatsModule.default;

/** Name of the precompiled module of the shipped schema `schema` (a path under the schema folder). */
export function k8sValidatorName(schema: string): string {
  return `k8s-${schema.replace(/\.json$/, '').replace(/[^A-Za-z0-9._-]+/g, '-')}`;
}

/** Parses the shipped schema at `schema` (a path under the schema folder). */
export function readShippedSchema(schema: string): unknown {
  return JSON.parse(readFileSync(shipped(`${K8S_SCHEMA_DIR}/${schema}`), 'utf8')) as unknown;
}

/**
 * The Ajv instance every Kubernetes schema is compiled with and the prepared
 * schema of `schema`; `codeSource` keeps code for standalone output. Strict
 * mode is off because the schemas carry OpenAPI keywords (`nullable`);
 * formats Ajv does not know are a build error rather than ignored.
 */
export function k8sAjv(schema: string, codeSource = false, read: (path: string) => unknown = readShippedSchema): { ajv: InstanceType<typeof Ajv>; schema: object } {
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    validateSchema: false,
    // Shared types stay functions called by reference: inlining them would undo prepare-schema's sharing.
    inlineRefs: false,
    formats: { ...K8S_FORMATS },
    logger: { log: () => undefined, warn: (msg: unknown) => { throw new Error(`compiling ${schema}: ${String(msg)}`); }, error: (msg: unknown) => { throw new Error(`compiling ${schema}: ${String(msg)}`); } },
    ...(codeSource ? { code: { source: true } } : {}),
  });
  addFormats(ajv, ['date-time', 'ipv4', 'ipv6']);
  return { ajv, schema: prepareSchema(schema, read) };
}

const validators = new Map<string, ValidateFunction>();

/** The validator of the shipped schema `schema`. */
export function k8sValidator(schema: string): ValidateFunction {
  let v = validators.get(schema);
  if (!v) {
    v = precompiledValidator(k8sValidatorName(schema));
    if (!v) {
      const { ajv, schema: prepared } = k8sAjv(schema);
      v = ajv.compile(prepared);
    }
    validators.set(schema, v);
  }
  return v;
}
