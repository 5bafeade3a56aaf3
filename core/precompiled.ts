/**
 * Schema validators compiled ahead of time. `npm run build` runs
 * scripts/gen-validators.mjs, which writes Ajv standalone code for each
 * schema the synth validates against into `lib/validators/<name>.cjs`;
 * loading that is about ten times faster than compiling the schema. Where it
 * is absent (running from source) callers compile the schema at first use.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { packageRoot } from './paths.js';

/** The precompiled validator `name`, or undefined when the build did not write it. */
export function precompiledValidator(name: string): ValidateFunction | undefined {
  if (process.env.SOVRA_COMPILE_SCHEMAS === '1') return undefined;
  const file = join(packageRoot(), 'lib', 'validators', `${name}.cjs`);
  if (!existsSync(file)) return undefined;
  return createRequire(import.meta.url)(file) as ValidateFunction;
}
