/** Signed checkpoints: an Ed25519 signature over the chain head at a sequence number. */
import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../../core/canonical.js';
import { SovraError } from '../../core/errors.js';
import { sha256Hex } from '../../core/hash.js';

/** What a checkpoint signs. */
export interface CheckpointPayload {
  readonly seq: number;
  readonly headHash: string;
  readonly keyId: string;
  readonly createdAt: string;
}

/** A checkpoint as stored. */
export interface Checkpoint extends CheckpointPayload {
  /** Base64 Ed25519 signature over `checkpointMessage(payload)`. */
  readonly signature: string;
}

/** `sha256:<hex>` of the DER SubjectPublicKeyInfo of `key` (public, or the public half of a private key). */
export function keyId(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return `sha256:${sha256Hex(pub.export({ type: 'spki', format: 'der' }))}`;
}

/** The bytes that are signed: a type tag and the payload as canonical JSON. */
export function checkpointMessage(p: CheckpointPayload): Buffer {
  return Buffer.from(canonicalJson({ type: 'sovra-audit-checkpoint/v1', seq: p.seq, headHash: p.headHash, keyId: p.keyId, createdAt: p.createdAt }), 'utf8');
}

/** Signs the chain head `headHash` at `seq` with the Ed25519 `privateKey`. */
export function signCheckpoint(seq: number, headHash: string, privateKey: KeyObject, createdAt: string): Checkpoint {
  const payload = { seq, headHash, keyId: keyId(privateKey), createdAt };
  return { ...payload, signature: sign(null, checkpointMessage(payload), privateKey).toString('base64') };
}

/** True when `cp.signature` is a valid Ed25519 signature of `cp` by `publicKey`. */
export function checkpointSignatureValid(cp: Checkpoint, publicKey: KeyObject): boolean {
  try {
    return verify(null, checkpointMessage(cp), publicKey, Buffer.from(cp.signature, 'base64'));
  } catch {
    return false;
  }
}

/** Throws a SovraError of `code` unless `key` is an Ed25519 key (checkpoints are Ed25519 only). */
export function assertEd25519(key: KeyObject, what: string, code: 'bad-config' | 'bad-input', type: 'private' | 'any' = 'any'): void {
  if (key.asymmetricKeyType !== 'ed25519' || (type === 'private' && key.type !== 'private')) {
    throw new SovraError(code, `${what} must be an Ed25519 ${type === 'private' ? 'private ' : ''}key, got ${key.type} ${String(key.asymmetricKeyType ?? '')}. Create one with: openssl genpkey -algorithm ed25519 -out audit.key && openssl pkey -in audit.key -pubout -out audit.pub`);
  }
}
