/**
 * Byte-level corruptions of a GGUF file for tests: they keep the file's
 * structure (same length) and break exactly one fact.
 */

function keyOffset(bytes: Buffer, key: string): number {
  const name = Buffer.from(key, 'utf8');
  // A key is stored as u64 length + bytes; match both so `llama.block_count` does not hit a longer key.
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(name.length));
  const at = bytes.indexOf(Buffer.concat([len, name]));
  if (at < 0) throw new Error(`metadata key ${key} not found`);
  return at + 8;
}

/** A copy of `bytes` where metadata key `key` is renamed (its last letter changed), so the key is missing. */
export function corruptKeyName(bytes: Buffer, key: string): Buffer {
  const out = Buffer.from(bytes);
  const at = keyOffset(out, key) + key.length - 1;
  out[at] = out[at] === 0x58 ? 0x59 : 0x58; // 'X' or 'Y'
  return out;
}

/** A copy of `bytes` where `patch` rewrites the value of `key`; `at` is the offset of its u32 value type. */
export function patchMetadataValue(bytes: Buffer, key: string, patch: (b: Buffer, at: number) => void): Buffer {
  const out = Buffer.from(bytes);
  patch(out, keyOffset(out, key) + Buffer.byteLength(key));
  return out;
}

/** A copy of `bytes` where tensor `name` is renamed (same length), so llama.cpp misses it. */
export function renameTensor(bytes: Buffer, name: string, to: string): Buffer {
  if (to.length !== name.length) throw new Error('the new name must have the same length');
  const out = Buffer.from(bytes);
  const at = keyOffset(out, name);
  out.write(to, at, 'utf8');
  return out;
}
