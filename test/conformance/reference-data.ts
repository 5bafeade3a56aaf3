/**
 * Global set-up of the conformance suite: stops the whole run, before any
 * test, when the reference data folder is not there. A missing folder is a
 * failure, never a reason to skip: CI must not pass without the comparison.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED_DIR, referenceDataMissing } from '../support/shared.js';

/** The folders of the reference data the conformance tests read. */
export const REFERENCE_FOLDERS = ['k8s/schema', 'k8s/crds', 'oscal/schema', 'oscal/content', 'sigstore/jsonschema'] as const;

export default function checkReferenceData(): void {
  if (!existsSync(SHARED_DIR)) throw referenceDataMissing(`the reference data folder ${SHARED_DIR}`);
  const missing = REFERENCE_FOLDERS.map((f) => join(SHARED_DIR, f)).filter((p) => !existsSync(p));
  if (missing.length > 0) throw referenceDataMissing(missing.join(', '));
}
