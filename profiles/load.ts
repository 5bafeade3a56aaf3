/**
 * Finds and loads a profile: a built-in name (`dev`, `edge`, `cluster`) or a
 * YAML/JSON file that `extends` one of them and overrides fields. The merged
 * result is validated before anything is synthesized.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import YAML from 'yaml';
import { SovraError } from '../core/errors.js';
import { BUILTIN_PROFILES } from './builtin/index.js';
import type { Profile } from './profile.generated.js';
import { validateProfile } from './validate.js';

/** Names of the built-in profiles. */
export const BUILTIN_NAMES = Object.keys(BUILTIN_PROFILES) as Array<keyof typeof BUILTIN_PROFILES>;

function isBuiltin(name: string): name is keyof typeof BUILTIN_PROFILES {
  return Object.prototype.hasOwnProperty.call(BUILTIN_PROFILES, name);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Deep merge: objects merge key by key, everything else (arrays included) is replaced. */
export function mergeProfile(base: unknown, override: unknown): unknown {
  if (!isObject(base) || !isObject(override)) return override === undefined ? base : override;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(override)) out[k] = mergeProfile(base[k], v);
  return out;
}

/** Loads `ref`: a built-in name or a path to a profile file. */
export function loadProfile(ref: string): Profile {
  if (isBuiltin(ref)) return validateProfile(structuredClone(BUILTIN_PROFILES[ref]), `"${ref}" (built-in)`);
  if (!/[./\\]/.test(ref)) {
    throw new SovraError('bad-profile', `unknown profile "${ref}". Built-in profiles: ${BUILTIN_NAMES.join(', ')}; or pass a path to a profile file such as ./site.yaml.`);
  }
  let text: string;
  try {
    text = readFileSync(ref, 'utf8');
  } catch (e) {
    throw new SovraError('bad-profile', `cannot read profile file ${ref}: ${(e as NodeJS.ErrnoException).code ?? String(e)}. Check the path.`);
  }
  let doc: unknown;
  try {
    doc = YAML.parse(text, { prettyErrors: true, uniqueKeys: true });
  } catch (e) {
    throw new SovraError('bad-profile', `profile file ${ref} is not valid YAML or JSON: ${(e as Error).message}`);
  }
  if (!isObject(doc)) throw new SovraError('bad-profile', `profile file ${ref}: expected a mapping of profile fields at the top level, got ${JSON.stringify(doc)}.`);
  const { extends: parent, ...fields } = doc;
  if (parent === undefined) {
    throw new SovraError('bad-profile', `profile file ${ref}: /extends is missing; a profile file must extend one of ${BUILTIN_NAMES.join(', ')} (for example \`extends: edge\`).`);
  }
  if (typeof parent !== 'string' || !isBuiltin(parent)) {
    throw new SovraError('bad-profile', `profile file ${ref}: /extends is ${JSON.stringify(parent)}; allowed values: ${BUILTIN_NAMES.join(', ')}.`);
  }
  const merged = mergeProfile(structuredClone(BUILTIN_PROFILES[parent]), { name: basename(ref).replace(/\.(ya?ml|json)$/i, ''), ...fields });
  return validateProfile(merged, `file ${ref} (extends ${parent})`);
}
