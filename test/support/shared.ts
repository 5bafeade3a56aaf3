/**
 * Where the public reference data lives for tests: `../shared` beside the
 * repository (schemas, catalogs). The product never reads it; tests do, so
 * they check the output against data the product did not bring itself.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of this repository. */
export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** `../shared` relative to the repository. */
export const SHARED_DIR = resolve(REPO_ROOT, '../shared');

/** Absolute path of `rel` under `../shared`; throws a clear error when it is missing. */
export function sharedPath(rel: string): string {
  const p = join(SHARED_DIR, ...rel.split('/'));
  if (!existsSync(p)) {
    throw new Error(
      `reference data ${p} is missing. These tests check the output against the public schemas and catalogs in ../shared ` +
        `(beside the repository: k8s/schema, k8s/crds, oscal/schema, oscal/content; see DATA-SOURCES.md there). Put that folder in place and rerun.`,
    );
  }
  return p;
}
