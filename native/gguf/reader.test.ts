import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSovraError } from '../../core/errors.js';
import { buildTinyModel, tinyModelDeclaration } from '../tiny/builder.js';
import { readGgufHeader } from './reader.js';
import { validateGgufModel } from './validate.js';
import { corruptKeyName, patchMetadataValue } from '../../test/native/support/corrupt.js';

const dir = mkdtempSync(join(tmpdir(), 'sovra-gguf-'));
let n = 0;
function file(bytes: Buffer): string {
  const path = join(dir, `m${n++}.gguf`);
  writeFileSync(path, bytes);
  return path;
}

/** The message of the SovraError('bad-input') that `fn` throws. */
function badInput(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (!isSovraError(e)) throw e;
    expect(e.code).toBe('bad-input');
    return e.message;
  }
  throw new Error('expected a SovraError');
}

const good = buildTinyModel();
const check = (path: string) => validateGgufModel(readGgufHeader(path), path);

describe('GGUF header reader and validator', () => {
  it('reads the tiny model and returns the parameters its declaration states', () => {
    const path = file(good);
    const header = readGgufHeader(path);
    expect(header.version).toBe(3);
    expect(header.metadata.get('general.architecture')).toBe('llama');
    expect(header.tensors.length).toBe(2 + 2 * 9 + 1);
    expect(check(path)).toEqual(tinyModelDeclaration().parameters);
  });

  it('names a file truncated inside the header, the metadata or the tensor data', () => {
    expect(badInput(() => check(file(good.subarray(0, 10))))).toMatch(/fewer than a GGUF header/);
    expect(badInput(() => check(file(good.subarray(0, 200))))).toMatch(/the file ends inside .* \(at byte \d+, file size 200\); it is truncated or malformed/);
    expect(badInput(() => check(file(good.subarray(0, 2000))))).toMatch(/metadata tokenizer\.ggml\.tokens claims 756 items, more than the file can hold \(truncated file\?\)/);
    const header = readGgufHeader(file(good));
    expect(badInput(() => check(file(good.subarray(0, header.dataOffset + 100))))).toMatch(/the data of tensor \S+ ends at byte \d+ but the file has only \d+ bytes; the file is truncated/);
    expect(badInput(() => check(file(good.subarray(0, good.length - 1))))).toMatch(/output\.weight.*truncated/);
  });

  it('rejects a file that is not GGUF or has an unsupported version', () => {
    expect(badInput(() => check(file(Buffer.from('{"not": "a model"}                                    '))))).toMatch(/does not start with the GGUF magic bytes/);
    const v1 = Buffer.from(good);
    v1.writeUInt32LE(1, 4);
    expect(badInput(() => check(file(v1)))).toMatch(/GGUF version 1 is not supported/);
  });

  it('names a required key that is missing (llama.cpp would abort the process on it)', () => {
    for (const key of ['llama.feed_forward_length', 'llama.attention.head_count', 'llama.block_count', 'tokenizer.ggml.tokens', 'general.architecture']) {
      expect(badInput(() => check(file(corruptKeyName(good, key))))).toContain(`required metadata key ${key} is missing`);
    }
  });

  it('names inconsistent metadata values', () => {
    const heads = patchMetadataValue(good, 'llama.attention.head_count', (b, at) => b.writeUInt32LE(3, at + 4));
    expect(badInput(() => check(file(heads)))).toMatch(/llama\.embedding_length 64 is not a multiple of llama\.attention\.head_count 3/);
    const eos = patchMetadataValue(good, 'tokenizer.ggml.eos_token_id', (b, at) => b.writeUInt32LE(100000, at + 4));
    expect(badInput(() => check(file(eos)))).toMatch(/tokenizer\.ggml\.eos_token_id is 100000, outside the vocabulary of 756 tokens/);
    const width = patchMetadataValue(good, 'llama.embedding_length', (b, at) => b.writeUInt32LE(32, at + 4));
    expect(badInput(() => check(file(width)))).toMatch(/token_embd\.weight has width 64, expected llama\.embedding_length 32/);
  });

  it('names a vocabulary piece that appears twice (llama.cpp asserts on it and aborts)', () => {
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(2n);
    const dup = Buffer.from(good);
    const at = dup.indexOf(Buffer.concat([len, Buffer.from('Hi')]));
    dup.write('hi', at + 8);
    expect(badInput(() => check(file(dup)))).toMatch(/tokenizer\.ggml\.tokens holds the piece "hi" twice \(ids \d+ and \d+\)/);
  });

  it('refuses counts that promise more data than the file holds, before allocating', () => {
    // item type (u32) then count (u64) follow the value type of an array.
    const huge = patchMetadataValue(good, 'tokenizer.ggml.scores', (b, at) => b.writeBigUInt64LE(1n << 40n, at + 8));
    expect(badInput(() => check(file(huge)))).toMatch(/metadata tokenizer\.ggml\.scores claims 1099511627776 items, more than the file can hold/);
    const kv = Buffer.from(good);
    kv.writeBigUInt64LE(1n << 50n, 16);
    expect(badInput(() => check(file(kv)))).toMatch(/claims \d+ metadata entries/);
  });

  it('reports a file that cannot be opened as an I/O error', () => {
    try {
      readGgufHeader(join(dir, 'absent.gguf'));
      expect.unreachable();
    } catch (e) {
      expect(isSovraError(e) && e.code).toBe('io');
    }
  });
});
