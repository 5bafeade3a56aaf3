/**
 * The `Signer` interface Sovra signs provenance through, and the one
 * implementation that exists today: a local PEM key. A KMS or PKCS#11
 * signer would implement the same interface; none exists yet.
 */
import { sign as cryptoSign, createPublicKey, type KeyObject } from 'node:crypto';
import { algorithmOf, keyHint, loadPrivateKey, type KeyAlgorithm } from './keys.js';

/** Something that signs bytes with one key. */
export interface Signer {
  /** Algorithm of the key. */
  readonly algorithm: KeyAlgorithm;
  /** Hint (SHA-256 of the SPKI DER, hex) of the public key; written into the bundle. */
  readonly keyHint: string;
  /** The public key, PEM (SPKI). */
  readonly publicKeyPem: string;
  /** Signature over `data`: ECDSA P-256 with SHA-256 (DER) or Ed25519 (pure). */
  sign(data: Buffer): Promise<Buffer>;
}

/** Signs with a private key held in memory. */
export class LocalKeySigner implements Signer {
  readonly algorithm: KeyAlgorithm;
  readonly keyHint: string;
  readonly publicKeyPem: string;
  private readonly key: KeyObject;

  constructor(key: KeyObject) {
    const algorithm = algorithmOf(key);
    if (!algorithm || key.type !== 'private') throw new Error('LocalKeySigner needs an ECDSA P-256 or Ed25519 private key');
    this.key = key;
    this.algorithm = algorithm;
    const pub = createPublicKey(key);
    this.keyHint = keyHint(pub);
    this.publicKeyPem = pub.export({ type: 'spki', format: 'pem' }).toString();
  }

  /** A signer for the PEM private key at `path` (errors name what is wrong with the file). */
  static fromFile(path: string): LocalKeySigner {
    return new LocalKeySigner(loadPrivateKey(path));
  }

  sign(data: Buffer): Promise<Buffer> {
    return Promise.resolve(cryptoSign(this.algorithm === 'ed25519' ? null : 'sha256', data, this.key));
  }
}
