/** The hash chain: what one record's hash covers. */
import { sha256Hex } from '../../core/hash.js';

/** `prev_hash` of the first record. */
export const GENESIS_HASH = '0'.repeat(64);

/** Hash of a record: SHA-256 over the previous record's hash, a newline and the record's canonical JSON. */
export function recordHash(prevHash: string, body: string): string {
  return sha256Hex(`${prevHash}\n${body}`);
}
