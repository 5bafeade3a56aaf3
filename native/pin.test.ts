import { describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSovraError } from '../core/errors.js';
import { parseModelDeclaration } from './declaration-check.js';
import { pinModel, verifyModel } from './pin.js';
import { modelProvenanceSubject, modelSbomComponent, modelSbomDocument } from '../supply-chain/model-sbom.js';
import { buildTinyModel, tinyModelDeclaration, writeTinyModel } from './tiny/builder.js';

const dir = mkdtempSync(join(tmpdir(), 'sovra-pin-'));

describe('tiny model builder', () => {
  it('writes the same bytes for the same seed on every machine, other bytes for another seed', () => {
    // Pinned digest of the default model: a change here means every pin of the dev model changes.
    expect(tinyModelDeclaration().sha256).toBe('238e92cff49a5b34f80285940336d1da3cd108703c4691bf8eca5c91d1571a9d');
    expect(tinyModelDeclaration({ seed: 2 }).sha256).not.toBe(tinyModelDeclaration().sha256);
    expect(buildTinyModel({ layers: 3 }).length).toBeGreaterThan(buildTinyModel().length);
  });
});

describe('model pinning', () => {
  it('pins a file to the declaration its builder states, with facts read from the header', async () => {
    const path = join(dir, 'tiny.gguf');
    const expected = await writeTinyModel(path);
    const pinned = await pinModel(path);
    expect(pinned).toEqual(expected);
    expect(pinned.sizeBytes).toBe(buildTinyModel().length);
    expect(await pinModel(path, { name: 'other', license: 'MIT', source: 'https://example.org/m.gguf', version: '7' })).toMatchObject({ name: 'other', license: 'MIT', source: 'https://example.org/m.gguf', version: '7' });
  });

  it('verifies a matching file and names every mismatch of a changed one', async () => {
    const sub = mkdtempSync(join(dir, 'verify-'));
    const decl = await writeTinyModel(join(sub, 'tiny.gguf'));
    expect(await verifyModel(sub, decl)).toEqual({ name: decl.name, path: join(sub, 'tiny.gguf'), ok: true, problems: [] });

    // One flipped weight byte: same size, same header, other digest.
    const bytes = Buffer.from(buildTinyModel());
    bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff;
    writeFileSync(join(sub, 'tiny.gguf'), bytes);
    const changed = await verifyModel(sub, decl);
    expect(changed.ok).toBe(false);
    expect(changed.problems).toHaveLength(1);
    expect(changed.problems[0]).toMatch(new RegExp(`digest differs: expected sha256:${decl.sha256}, actual sha256:[0-9a-f]{64}`));

    writeFileSync(join(sub, 'tiny.gguf'), bytes.subarray(0, 5000));
    const truncated = await verifyModel(sub, decl);
    expect(truncated.problems.join('\n')).toMatch(/has 5000 bytes, declared \d+/);
    expect(truncated.problems.join('\n')).toMatch(/not a valid GGUF model/);

    copyFileSync(join(dir, 'tiny.gguf'), join(sub, 'tiny.gguf'));
    const params = await verifyModel(sub, { ...decl, parameters: { ...decl.parameters, layers: 9 } });
    expect(params.problems).toEqual([`${join(sub, 'tiny.gguf')} parameter layers is 2, declared 9.`]);

    expect((await verifyModel(sub, { ...decl, file: 'absent.gguf' })).problems).toEqual([`${join(sub, 'absent.gguf')} is missing.`]);
    expect((await verifyModel(sub, { ...decl, file: '../tiny.gguf' })).problems[0]).toMatch(/must be a path inside the model directory/);
  });

  it('reads a declaration from untrusted JSON, naming the first bad field', () => {
    const decl = tinyModelDeclaration();
    expect(parseModelDeclaration(JSON.parse(JSON.stringify(decl)), 'm.json')).toEqual(decl);
    const cases: Array<[unknown, RegExp]> = [
      [[], /m\.json: a model declaration must be a JSON object/],
      [{ ...decl, sha256: 'abc' }, /m\.json: sha256 must be 64 lower-case hex characters/],
      [{ ...decl, format: 'safetensors' }, /format must be "gguf", got "safetensors"/],
      [{ ...decl, name: '' }, /name must be a non-empty string/],
      [{ ...decl, sizeBytes: -1 }, /sizeBytes must be an integer of at least 0/],
      [{ ...decl, parameters: { ...decl.parameters, layers: 'two' } }, /m\.json parameters: layers must be an integer of at least 1/],
    ];
    for (const [value, message] of cases) {
      try {
        parseModelDeclaration(value, 'm.json');
        expect.unreachable();
      } catch (e) {
        expect(isSovraError(e) && e.code).toBe('bad-input');
        expect((e as Error).message).toMatch(message);
      }
    }
  });
});

describe('SBOM and provenance views of a declaration', () => {
  it('gives a machine-learning-model component carrying the declared digest, and a schema-valid document', () => {
    const decl = tinyModelDeclaration();
    const component = modelSbomComponent(decl);
    expect(component).toMatchObject({
      type: 'machine-learning-model',
      name: decl.name,
      version: decl.version,
      'bom-ref': `model:${decl.name}@${decl.version}`,
      hashes: [{ alg: 'SHA-256', content: decl.sha256 }],
      licenses: [{ expression: 'Apache-2.0' }],
    });
    expect(component.purl).toBe(`pkg:generic/${decl.name}@${decl.version}?checksum=sha256%3A${decl.sha256}`);
    const doc = JSON.parse(modelSbomDocument([decl]));
    expect(doc.specVersion).toBe('1.6');
    expect(doc.components).toEqual([component]);
    expect(modelSbomDocument([decl])).toBe(modelSbomDocument([decl]));
    expect(modelProvenanceSubject(decl)).toEqual({ name: decl.file, digest: { sha256: decl.sha256 } });
  });
});
