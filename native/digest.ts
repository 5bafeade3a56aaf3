/** SHA-256 of model files, streamed so multi-gigabyte weights never sit in memory. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { SovraError } from '../core/errors.js';

/** Lower-case hex SHA-256 of the file at `file`. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  } catch (e) {
    throw new SovraError('io', `Cannot read model file ${file}: ${(e as Error).message}`, { cause: e });
  }
  return hash.digest('hex');
}

/** Normalises an expected digest given as `<hex>` or `sha256:<hex>`; a malformed one is a user mistake. */
export function normalizeSha256(value: string, what: string): string {
  const hex = value.startsWith('sha256:') ? value.slice(7) : value;
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new SovraError('bad-input', `${what} must be 64 hex characters (optionally prefixed with sha256:), got ${JSON.stringify(value)}.`);
  return hex.toLowerCase();
}
