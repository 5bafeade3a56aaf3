/** Digests and content-derived identifiers. */
import { createHash } from 'node:crypto';

/** Lower-case hex SHA-256 of `data`. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Namespace of every UUIDv5 Sovra derives (itself UUIDv5 of the DNS name sovra.dev in the DNS namespace). */
export const SOVRA_UUID_NAMESPACE = uuidV5('sovra.dev', '6ba7b810-9dad-11d1-80b4-00c04fd430c8');

/** RFC 9562 UUID version 5 of `name` in `namespace`: stable for stable content. */
export function uuidV5(name: string, namespace: string = SOVRA_UUID_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new Error(`uuidV5: bad namespace ${namespace}`);
  const h = createHash('sha1').update(ns).update(name, 'utf8').digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}
