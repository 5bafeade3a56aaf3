/**
 * The Sigstore bundle `sovra synth --sign` writes, against the Bundle JSON
 * schema of sigstore/protobuf-specs v0.5.0 in the reference data.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import AjvModule from 'ajv';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateKeyPair } from '../../supply-chain/keys.js';
import { BUNDLE_PATH } from '../../supply-chain/sign.js';
import { LocalKeySigner } from '../../supply-chain/signer.js';
import { sharedPath } from '../support/shared.js';
import { readJson, removeDir, synthProfile, tempDir } from '../support/synth-output.js';

const Ajv = AjvModule.default;

let root: string;
let signed: string;

beforeAll(async () => {
  root = tempDir('sovra-bundle-');
  const key = join(root, 'signing.key');
  writeFileSync(key, generateKeyPair('ecdsa-p256').privateKey, { mode: 0o600 });
  signed = join(root, 'signed');
  await synthProfile('edge', signed, { signer: LocalKeySigner.fromFile(key) });
});
afterAll(() => removeDir(root));

it('validates against the Sigstore Bundle JSON schema (protobuf-specs v0.5.0, snake_case required names patched)', () => {
  const schema = JSON.parse(readFileSync(sharedPath('sigstore/jsonschema/Bundle.schema.json'), 'utf8')) as Record<string, unknown>;
  delete schema.$schema; // draft-04 marker Ajv 8 does not know
  const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  // Two adjustments, both needed for any real bundle to pass: the upstream defect (snake_case
  // names in `required`, see DATA-SOURCES.md), and draft-04 semantics under Ajv 8: keywords
  // beside a $ref are ignored in draft-04 (the generator puts additionalProperties: false there).
  const patch = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(patch);
    if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (typeof o.$ref === 'string') for (const k of Object.keys(o)) if (k !== '$ref' && k !== 'definitions') delete o[k];
      if (Array.isArray(o.required)) o.required = (o.required as string[]).map(camel);
      Object.values(o).forEach(patch);
    }
  };
  patch(schema);
  const ajv = new Ajv({ strict: false, allErrors: true });
  const validate = ajv.compile(schema);
  const bundle = readJson(signed, BUNDLE_PATH);
  expect(validate(bundle), JSON.stringify(validate.errors)).toBe(true);
  // The schema is not vacuous: a bundle without its envelope fails.
  const broken = structuredClone(bundle) as Record<string, unknown>;
  delete broken.dsseEnvelope;
  expect(validate(broken)).toBe(false);
});
