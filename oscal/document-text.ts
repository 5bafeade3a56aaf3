/**
 * The written text of the large OSCAL documents (SSP, POA&M, assessment
 * results) with a content-derived document UUID, serialized once: the
 * emitter puts `PENDING_UUID` in the document's own `uuid`, the text is
 * written with it, and the UUID becomes UUIDv5 of the path and the SHA-256 of
 * that text. Hashing a canonical copy of a 2 MB document first, as the
 * component definitions do, would serialize it twice.
 */
import { stableJson } from '../core/canonical.js';
import { sha256Hex, uuidV5 } from '../core/hash.js';

/** Stand-in for a document's own UUID until its text exists (valid UUID syntax, so the document validates). */
export const PENDING_UUID = '00000000-0000-5000-8000-000000000000';

/** `doc` as written (`stableJson`), its PENDING_UUID replaced by the UUID derived from that text. */
export function documentText(path: string, doc: object): string {
  const text = stableJson(doc);
  const marker = `"uuid": "${PENDING_UUID}"`;
  const at = text.indexOf(marker);
  if (at < 0 || text.indexOf(marker, at + 1) >= 0) throw new Error(`${path}: the document must carry PENDING_UUID exactly once, as its own uuid`);
  const uuid = uuidV5(`document:${path}:${sha256Hex(text)}`);
  return `${text.slice(0, at)}"uuid": "${uuid}"${text.slice(at + marker.length)}`;
}
