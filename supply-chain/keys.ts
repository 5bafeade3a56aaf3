/**
 * Signing keys: generation (`sovra keygen`), loading from PEM with errors
 * that say what is wrong with the file, and the key hint that names a
 * public key inside a Sigstore bundle.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { closeSync, constants, fsyncSync, linkSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { SovraError } from '../core/errors.js';
import { sha256Hex } from '../core/hash.js';

/** Key algorithms Sovra signs with. */
export const KEY_ALGORITHMS = ['ecdsa-p256', 'ed25519'] as const;
/** One of {@link KEY_ALGORITHMS}. */
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];

/** A generated key pair as PEM text. */
export interface KeyPairPem {
  readonly algorithm: KeyAlgorithm;
  /** PKCS#8, unencrypted. */
  readonly privateKey: string;
  /** SubjectPublicKeyInfo. */
  readonly publicKey: string;
  /** Hint of the public key (see {@link keyHint}). */
  readonly hint: string;
}

/** Generates a key pair. */
export function generateKeyPair(algorithm: KeyAlgorithm = 'ecdsa-p256'): KeyPairPem {
  const { privateKey, publicKey } =
    algorithm === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    algorithm,
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    hint: keyHint(publicKey),
  };
}

/**
 * Hint of a public key: lower-case hex SHA-256 of its DER SubjectPublicKeyInfo
 * (the `keyid` DSSE and Sigstore bundles carry; cosign computes it the same way).
 */
export function keyHint(publicKey: KeyObject): string {
  return sha256Hex(publicKey.export({ type: 'spki', format: 'der' }));
}

/** Algorithm of a key Sovra can sign with, or undefined. */
export function algorithmOf(key: KeyObject): KeyAlgorithm | undefined {
  if (key.asymmetricKeyType === 'ed25519') return 'ed25519';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ecdsa-p256';
  return undefined;
}

function describe(key: KeyObject): string {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  return `${key.asymmetricKeyType ?? 'unknown'}${curve ? ` (${curve})` : ''}`;
}

function readKeyFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new SovraError('bad-input', `The ${what} ${path} does not exist. Create a key pair with \`sovra keygen --out <prefix>\`.`);
    throw new SovraError('io', `Cannot read the ${what} ${path}: ${(e as Error).message}`, { cause: e });
  }
}

/** Loads a PKCS#8 (or SEC1) PEM private key of a supported algorithm. */
export function loadPrivateKey(path: string): KeyObject {
  const pem = readKeyFile(path, 'private key');
  const text = pem.toString('utf8');
  if (!text.includes('-----BEGIN')) throw new SovraError('bad-input', `${path} is not a PEM file: expected "-----BEGIN PRIVATE KEY-----" (PKCS#8), as \`sovra keygen\` writes it.`);
  if (/-----BEGIN (PUBLIC KEY|CERTIFICATE)-----/.test(text) && !text.includes('PRIVATE KEY')) {
    throw new SovraError('bad-input', `${path} holds a public key or certificate; signing needs the private key (the <prefix>.key file of \`sovra keygen\`).`);
  }
  if (text.includes('ENCRYPTED PRIVATE KEY')) throw new SovraError('bad-input', `${path} is an encrypted private key; Sovra reads unencrypted PKCS#8 keys (decrypt it with \`openssl pkcs8 -in ${path} -out <file>\`). KMS and PKCS#11 signers are not supported yet.`);
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (e) {
    throw new SovraError('bad-input', `${path} is not a readable PEM private key (${(e as Error).message}).`, { cause: e });
  }
  if (!algorithmOf(key)) throw new SovraError('bad-input', `${path} is a ${describe(key)} key; Sovra signs with ECDSA P-256 or Ed25519 keys (\`sovra keygen --algorithm ecdsa-p256|ed25519\`).`);
  return key;
}

/** Loads an SPKI PEM public key (a certificate or private key is refused with a message). */
export function loadPublicKey(path: string): KeyObject {
  const pem = readKeyFile(path, 'public key');
  const text = pem.toString('utf8');
  if (text.includes('PRIVATE KEY')) throw new SovraError('bad-input', `${path} holds a private key; verification takes the public key (the <prefix>.pub file of \`sovra keygen\`). Keep the private key off CI machines that only verify.`);
  if (!text.includes('-----BEGIN PUBLIC KEY-----')) throw new SovraError('bad-input', `${path} is not a PEM public key: expected "-----BEGIN PUBLIC KEY-----" (SubjectPublicKeyInfo), as \`sovra keygen\` writes it.`);
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (e) {
    throw new SovraError('bad-input', `${path} is not a readable PEM public key (${(e as Error).message}).`, { cause: e });
  }
  if (!algorithmOf(key)) throw new SovraError('bad-input', `${path} is a ${describe(key)} key; Sovra verifies ECDSA P-256 or Ed25519 signatures.`);
  return key;
}

/** The error for a key file that exists already. */
export function keyExists(path: string): SovraError {
  return new SovraError('bad-input', `${path} already exists; sovra keygen never overwrites a key. Choose another --out prefix or remove the old pair yourself.`);
}

/**
 * Writes `content` to `path` with `mode`, never replacing an existing file:
 * the content goes to a temporary file that is hard-linked into place
 * (link fails if `path` exists), so a reader never sees a partial key.
 */
export function writeNewFile(path: string, content: string, mode: number): void {
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  let fd: number | undefined;
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
    writeSync(fd, content);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    linkSync(tmp, path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw keyExists(path);
    throw new SovraError('io', `Cannot write ${path}: ${(e as Error).message}`, { cause: e });
  } finally {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
  }
}
