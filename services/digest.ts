/** `sha256:<hex>` digests of request and response bodies for the audit record. */
import { createHash } from 'node:crypto';

/** `sha256:<hex>` of `data`. */
export function sha256Digest(data: string | Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Digest of an empty body. */
export const EMPTY_DIGEST = sha256Digest('');
