/**
 * Synchronous, offline validation of CycloneDX 1.6 JSON against the schema
 * files that `@cyclonedx/cyclonedx-library` ships, compiled the way the
 * library's own `Validation.JsonStrictValidator` compiles them (same Ajv
 * options and formats). The bom schema refers to its siblings by relative
 * name (`spdx.SNAPSHOT.schema.json`, …), so those are registered under the
 * ids the relative names resolve to; nothing is fetched.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import AjvModule, { type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { SovraError } from '../core/errors.js';
import { precompiledValidator } from '../core/precompiled.js';

// ajv and ajv-formats are CommonJS with a `default` export; under NodeNext the default import is the module object.
const Ajv = AjvModule.default;
const addFormats = addFormatsModule.default;
// ajv-formats-draft2019 ships no type declarations.
const addFormats2019 = createRequire(import.meta.url)('ajv-formats-draft2019') as (ajv: unknown, options: { formats: string[] }) => void;

const SCHEMA_BASE = 'http://cyclonedx.org/schema/';
const SIBLINGS = ['spdx.SNAPSHOT.schema.json', 'cryptography-defs.SNAPSHOT.schema.json', 'jsf-0.82.SNAPSHOT.schema.json'];

let validator: ValidateFunction | undefined;

function schemaDir(): string {
  const pkg = createRequire(import.meta.url).resolve('@cyclonedx/cyclonedx-library/package.json');
  return join(dirname(pkg), 'res', 'schema');
}

/**
 * The Ajv instance (with the sibling schemas and formats) and the CycloneDX
 * 1.6 schema; `codeSource` keeps the generated code for standalone output
 * (scripts/gen-validators.mjs).
 */
export function cycloneDx16Ajv(codeSource = false): { ajv: InstanceType<typeof Ajv>; schema: object } {
  const dir = schemaDir();
  const read = (file: string): object => JSON.parse(readFileSync(join(dir, file), 'utf8')) as object;
  const schemas = Object.fromEntries(SIBLINGS.map((f) => [SCHEMA_BASE + f, read(f)]));
  const ajv = new Ajv({
    useDefaults: false,
    strict: false,
    strictSchema: false,
    addUsedSchema: false,
    allErrors: true,
    schemas,
    ...(codeSource ? { code: { source: true } } : {}),
    loadSchema: (uri: string) => {
      throw new Error(`remote schemas are disabled: ${uri}`);
    },
  });
  addFormats(ajv);
  addFormats2019(ajv, { formats: ['idn-email'] });
  ajv.addFormat('iri-reference', true);
  return { ajv, schema: read('bom-1.6.SNAPSHOT.schema.json') };
}

function compile(): ValidateFunction {
  const { ajv, schema } = cycloneDx16Ajv();
  return ajv.compile(schema);
}

/** Throws `SovraError('invalid-output')` unless `json` is a valid CycloneDX 1.6 document; `name` names it in the message. */
export function validateCycloneDx16(json: string, name: string): void {
  validator ??= precompiledValidator('cyclonedx-1.6') ?? compile();
  if (validator(JSON.parse(json))) return;
  const problems = (validator.errors ?? []).slice(0, 5).map((e) => `at ${e.instancePath || '/'}: ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`);
  throw new SovraError('invalid-output', `${name} is not a valid CycloneDX 1.6 document: ${problems.join('; ')}.`);
}
