/**
 * Synchronous, offline validation of CycloneDX 1.6 and 1.7 JSON against the schema
 * files that `@cyclonedx/cyclonedx-library` ships, compiled the way the
 * library's own `Validation.JsonStrictValidator` compiles them (same Ajv
 * options and formats). The bom schema refers to its siblings by relative
 * name (`spdx.SNAPSHOT.schema.json`, …), so those are registered under the
 * ids the relative names resolve to; nothing is fetched.
 *
 * One departure in how, not what: the schema's `uniqueItems` on the
 * top-level arrays (`components`, `dependencies`, …) is checked here by
 * comparing canonical JSON in one pass instead of by Ajv's pairwise deep
 * comparison, which is quadratic and took most of the synth's validation
 * time once the SBOM lists the npm tree. The result is the same.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import AjvModule, { type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { canonicalJson } from '../core/canonical.js';
import { SovraError } from '../core/errors.js';
import { precompiledValidator } from '../core/precompiled.js';

// ajv and ajv-formats are CommonJS with a `default` export; under NodeNext the default import is the module object.
const Ajv = AjvModule.default;
const addFormats = addFormatsModule.default;
// ajv-formats-draft2019 ships no type declarations.
const addFormats2019 = createRequire(import.meta.url)('ajv-formats-draft2019') as (ajv: unknown, options: { formats: string[] }) => void;

const SCHEMA_BASE = 'http://cyclonedx.org/schema/';
const SIBLINGS = ['spdx.SNAPSHOT.schema.json', 'cryptography-defs.SNAPSHOT.schema.json', 'jsf-0.82.SNAPSHOT.schema.json'];

/** CycloneDX specification versions Sovra writes. */
export type CycloneDxVersion = '1.6' | '1.7';

/** Versions with a validator (and a precompiled one after `npm run build`). */
export const CYCLONEDX_VERSIONS: readonly CycloneDxVersion[] = ['1.6', '1.7'];

/** Top-level arrays the schema of each version declares `uniqueItems` (checked outside Ajv; see above). */
const UNIQUE_TOP_LEVEL: Record<CycloneDxVersion, readonly string[]> = {
  '1.6': ['components', 'services', 'dependencies', 'compositions', 'vulnerabilities', 'annotations', 'formulation'],
  '1.7': ['components', 'services', 'dependencies', 'compositions', 'vulnerabilities', 'annotations', 'formulation', 'citations'],
};

const validators = new Map<CycloneDxVersion, ValidateFunction>();

function schemaDir(): string {
  const pkg = createRequire(import.meta.url).resolve('@cyclonedx/cyclonedx-library/package.json');
  return join(dirname(pkg), 'res', 'schema');
}

/**
 * The Ajv instance (with the sibling schemas and formats) and the CycloneDX
 * schema of `version`; `codeSource` keeps the generated code for standalone
 * output (scripts/gen-validators.mjs).
 */
export function cycloneDxAjv(version: CycloneDxVersion, codeSource = false): { ajv: InstanceType<typeof Ajv>; schema: object } {
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
  const schema = read(`bom-${version}.SNAPSHOT.schema.json`) as { properties: Record<string, { uniqueItems?: boolean }> };
  const unique = Object.keys(schema.properties).filter((k) => schema.properties[k]!.uniqueItems === true);
  if (canonicalJson(unique) !== canonicalJson(UNIQUE_TOP_LEVEL[version])) {
    throw new Error(`the CycloneDX ${version} schema declares uniqueItems on ${unique.join(', ')}; update UNIQUE_TOP_LEVEL in supply-chain/cyclonedx-validate.ts`);
  }
  for (const k of unique) delete schema.properties[k]!.uniqueItems;
  return { ajv, schema };
}

/** Problems with the `uniqueItems` of the top-level arrays, worded as Ajv words them. */
function duplicates(doc: unknown, version: CycloneDxVersion): string[] {
  if (doc === null || typeof doc !== 'object') return [];
  const out: string[] = [];
  for (const key of UNIQUE_TOP_LEVEL[version]) {
    const list = (doc as Record<string, unknown>)[key];
    if (!Array.isArray(list)) continue;
    const seen = new Map<string, number>();
    for (let i = 0; i < list.length; i++) {
      const k = canonicalJson(list[i]);
      const j = seen.get(k);
      if (j !== undefined) {
        out.push(`at /${key}: must NOT have duplicate items (items ## ${i} and ${j} are identical)`);
        break;
      }
      seen.set(k, i);
    }
  }
  return out;
}

/** {@link cycloneDxAjv} for 1.6. */
export function cycloneDx16Ajv(codeSource = false): { ajv: InstanceType<typeof Ajv>; schema: object } {
  return cycloneDxAjv('1.6', codeSource);
}

function compile(version: CycloneDxVersion): ValidateFunction {
  const { ajv, schema } = cycloneDxAjv(version);
  return ajv.compile(schema);
}

function validatorFor(version: CycloneDxVersion): ValidateFunction {
  let v = validators.get(version);
  if (!v) {
    if (!CYCLONEDX_VERSIONS.includes(version)) throw new Error(`no CycloneDX validator for version ${String(version)}`);
    v = precompiledValidator(`cyclonedx-${version}`) ?? compile(version);
    validators.set(version, v);
  }
  return v;
}

/**
 * Throws `SovraError('invalid-output')` unless `json` is a valid CycloneDX
 * document of `version`; `name` names it in the message.
 */
export function validateCycloneDx(json: string, name: string, version: CycloneDxVersion): void {
  validateCycloneDxDocument(JSON.parse(json) as unknown, name, version);
}

/** {@link validateCycloneDx} of a document already parsed. */
export function validateCycloneDxDocument(doc: unknown, name: string, version: CycloneDxVersion): void {
  const validator = validatorFor(version);
  const valid = validator(doc);
  const problems = duplicates(doc, version);
  if (valid && problems.length === 0) return;
  if (!valid) problems.unshift(...(validator.errors ?? []).slice(0, 5).map((e) => `at ${e.instancePath || '/'}: ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`));
  throw new SovraError('invalid-output', `${name} is not a valid CycloneDX ${version} document: ${problems.join('; ')}.`);
}

/** Throws `SovraError('invalid-output')` unless `json` is a valid CycloneDX 1.6 document; `name` names it in the message. */
export function validateCycloneDx16(json: string, name: string): void {
  validateCycloneDx(json, name, '1.6');
}
