/**
 * Conformance: the Kubernetes schemas shipped in output/kubernetes/schemas/
 * (which the synth validates every object against) are byte-for-byte the
 * files of the same path in the reference data's k8s/ folder, and withheld
 * kinds are really there and really not shipped. `npm run gen` restores the
 * copies.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { shipped } from '../../core/paths.js';
import { K8S_SCHEMA_DIR, shippedKinds } from '../../output/kubernetes/kinds.js';
import { sharedPath } from '../support/shared.js';
// @ts-expect-error: a plain ES module script without types (scripts/ is JavaScript).
import { crdSchemaText } from '../../scripts/crd-schema.mjs';

describe('shipped Kubernetes schemas', () => {
  it.each(shippedKinds().filter((k) => k.fromChart).map((k) => [k.schema, k] as const))('%s is the conversion of its chart CRD', (schema, k) => {
    const [group, version] = k.apiVersion.split('/') as [string, string];
    const expected = crdSchemaText(sharedPath(k.fromChart!), group, version, k.kind);
    expect(readFileSync(shipped(`${K8S_SCHEMA_DIR}/${schema}`), 'utf8'), `${K8S_SCHEMA_DIR}/${schema}: run \`npm run gen\``).toBe(expected);
    // Strict like the catalog's files: an unknown field of the spec is an error.
    expect((JSON.parse(expected) as { properties: { spec: { additionalProperties: unknown } } }).properties.spec.additionalProperties).toBe(false);
  });

  it.each([...new Set(shippedKinds().filter((k) => !k.fromChart).map((k) => k.schema))].sort())('%s equals the reference file', (schema) => {
    const copy = readFileSync(shipped(`${K8S_SCHEMA_DIR}/${schema}`));
    const original = sharedPath(`k8s/${schema}`);
    // Compared as bytes; a difference means `npm run gen` was not run after the reference data changed.
    expect(copy.equals(readFileSync(original)), `${K8S_SCHEMA_DIR}/${schema} differs from ${original}: run \`npm run gen\``).toBe(true);
  });

  it('withhold only schemas the reference data has, and ship none of them', () => {
    const list = JSON.parse(readFileSync(shipped(`${K8S_SCHEMA_DIR}/kinds.json`), 'utf8')) as { withheld: Array<{ schema: string }> };
    expect(list.withheld.length).toBeGreaterThan(0);
    for (const w of list.withheld) {
      expect(existsSync(sharedPath(`k8s/${w.schema}`)), w.schema).toBe(true);
      expect(existsSync(shipped(`${K8S_SCHEMA_DIR}/${w.schema}`)), w.schema).toBe(false);
    }
  });
});
