/**
 * Validates a profile against its JSON Schema with ajv, turning each error
 * into a sentence that names the file, the JSON path, the bad value and
 * what is allowed.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { SovraError } from '../core/errors.js';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readShippedJson, shipped } from '../core/paths.js';
import { precompiledValidator } from '../core/precompiled.js';
import type { Profile } from './profile.generated.js';

let validator: ValidateFunction<Profile> | undefined;

/** The Ajv instance and schema of profiles; `codeSource` keeps code for standalone output (scripts/gen-validators.mjs). */
export function profileAjv(codeSource = false): { ajv: Ajv; schema: object } {
  // verbose: errors carry their parentSchema, which names the allowed keys and values.
  const ajv = new Ajv({ allErrors: true, strict: true, verbose: true, ...(codeSource ? { code: { source: true } } : {}) });
  return { ajv, schema: readShippedJson<object>('profiles/profile.schema.json') };
}

/** SHA-256 of the shipped profile schema: the precompiled validator is used only when built from these very bytes. */
export function profileSchemaDigest(): string {
  return createHash('sha256').update(readFileSync(shipped('profiles/profile.schema.json'))).digest('hex');
}

/** The profile validator: precompiled by the build from the same schema (compiling costs about a second), else compiled once. */
function compile(): ValidateFunction<Profile> {
  if (!validator) {
    const pre = precompiledValidator('profile') as (ValidateFunction<Profile> & { schemaDigest?: string }) | undefined;
    if (pre && pre.schemaDigest === profileSchemaDigest()) validator = pre;
    if (!validator) {
      const { ajv, schema } = profileAjv();
      validator = ajv.compile<Profile>(schema);
    }
  }
  return validator;
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function at(doc: unknown, pointer: string): unknown {
  let cur: unknown = doc;
  for (const seg of pointer.split('/').slice(1)) {
    const k = seg.replace(/~1/g, '/').replace(/~0/g, '~');
    cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined;
  }
  return cur;
}

function describe(e: ErrorObject, doc: unknown): string {
  const path = e.instancePath === '' ? '(top level)' : e.instancePath;
  const value = at(doc, e.instancePath);
  const sch = e.parentSchema as { properties?: Record<string, unknown>; enum?: unknown[] } | undefined;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      return `${e.instancePath}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}: unknown key "${key}"; allowed keys${e.instancePath === '' ? '' : ` in ${e.instancePath}`}: ${Object.keys(sch?.properties ?? {}).join(', ')}`;
    }
    case 'required':
      return `${path}: missing required key "${(e.params as { missingProperty: string }).missingProperty}"`;
    case 'type':
      return `${path}: ${show(value)} is not of type ${(e.params as { type: string }).type}`;
    case 'enum':
      return `${path}: ${show(value)} is not allowed; allowed values: ${((e.params as { allowedValues: unknown[] }).allowedValues).map(show).join(', ')}`;
    case 'pattern': {
      // An example says what to write; the regular expression is only the fallback.
      const { examples, description } = (e.parentSchema ?? {}) as { examples?: unknown[]; description?: string };
      if (!examples?.length) return `${path}: ${show(value)} does not match ${(e.params as { pattern: string }).pattern}`;
      const what = description ? ` (${description.replace(/\.$/, '')})` : '';
      return `${path}: ${show(value)} is not in the expected form${what}; write it like ${examples.map(show).join(' or ')}`;
    }
    default:
      return `${path}: ${show(value)} ${e.message ?? 'is invalid'}`;
  }
}

/** Checks `doc` and returns it typed; throws a `bad-profile` SovraError listing every problem. */
export function validateProfile(doc: unknown, source: string): Profile {
  const validate = compile();
  if (validate(doc)) return doc;
  const problems = [...new Set((validate.errors ?? []).map((e) => describe(e, doc)))];
  throw new SovraError('bad-profile', `profile ${source} is invalid:\n  - ${problems.join('\n  - ')}`);
}
