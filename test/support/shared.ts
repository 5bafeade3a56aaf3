/**
 * Where things are for tests: the repository itself, and the public
 * reference data the conformance tests (`npm run test:conformance`) compare
 * the output with. The product never reads the reference data, and
 * `npm test` does not either: it runs in a clone with nothing beside it.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of this repository. */
export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** The environment variable that names the reference data folder. */
export const REFERENCE_DIR_VARIABLE = 'SOVRA_REFERENCE_DIR';

/** The reference data folder: `$SOVRA_REFERENCE_DIR`, by default `../shared` beside the repository. */
export const SHARED_DIR = process.env[REFERENCE_DIR_VARIABLE] ? resolve(process.env[REFERENCE_DIR_VARIABLE]) : resolve(REPO_ROOT, '../shared');

/** What the reference data folder must hold, for the error message. */
const CONTENTS =
  'the Kubernetes 1.30 standalone-strict and CRD JSON schemas (k8s/schema, k8s/crds), the NIST OSCAL 1.1.3 JSON schemas and SP 800-53 rev5 catalogs ' +
  '(oscal/schema, oscal/content) and the Sigstore bundle JSON schema of protobuf-specs v0.5.0 (sigstore/jsonschema)';

/** The error for a reference data folder or file that is not there: names the variable, the folder and what to put in it. */
export function referenceDataMissing(missing: string): Error {
  const how = process.env[REFERENCE_DIR_VARIABLE] ? `${REFERENCE_DIR_VARIABLE}=${process.env[REFERENCE_DIR_VARIABLE]}` : `${REFERENCE_DIR_VARIABLE} is not set, so the default ../shared beside the repository is used`;
  return new Error(
    `Reference data missing: ${missing} does not exist (${how}). The conformance tests compare Sovra's output with public originals: ${CONTENTS}. ` +
      `Put that folder beside the repository as ../shared (CI has it there; its DATA-SOURCES.md names the source and commit of every file) ` +
      `or set ${REFERENCE_DIR_VARIABLE} to where it is, then rerun \`npm run test:conformance\`. These tests fail rather than skip without it.`,
  );
}

/** Absolute path of `rel` in the reference data folder; throws `referenceDataMissing` when it is not there. */
export function sharedPath(rel: string): string {
  if (!existsSync(SHARED_DIR)) throw referenceDataMissing(`the reference data folder ${SHARED_DIR}`);
  const p = join(SHARED_DIR, ...rel.split('/'));
  if (!existsSync(p)) throw referenceDataMissing(p);
  return p;
}
