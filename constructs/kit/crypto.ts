/**
 * Cryptographic assets a component configures, for the CBOM: algorithms,
 * protocols, certificates and keys, each with the setting that configures
 * it (checked against the written output like claim evidence). Algorithm
 * facts (primitive, parameter set, security levels, OID) live once in
 * `ALGORITHMS`; components name the algorithm and say where it is set.
 */
import type { Evidence } from './claims.js';

/** Kinds of cryptographic asset, as CycloneDX 1.6 names them. */
export type CryptoAssetType = 'algorithm' | 'protocol' | 'certificate' | 'related-crypto-material';

/** Certification of an implementation, as CycloneDX 1.6 spells it (the subset Sovra can state). */
export type CertificationLevel = 'none' | 'fips140-2-l1' | 'fips140-3-l1' | 'unknown';

/** What an algorithm is, in CycloneDX 1.6 `algorithmProperties` terms. */
export interface AlgorithmSpec {
  readonly primitive: 'drbg' | 'mac' | 'block-cipher' | 'stream-cipher' | 'signature' | 'hash' | 'pke' | 'xof' | 'kdf' | 'key-agree' | 'kem' | 'ae' | 'combiner' | 'other';
  readonly parameterSetIdentifier?: string;
  /** Elliptic curve, named as on neuromancer.sk/std. */
  readonly curve?: string;
  readonly mode?: 'cbc' | 'ecb' | 'ccm' | 'gcm' | 'cfb' | 'ofb' | 'ctr' | 'other';
  readonly padding?: 'pkcs5' | 'pkcs7' | 'pkcs1v15' | 'oaep' | 'raw' | 'other';
  readonly cryptoFunctions: ReadonlyArray<'generate' | 'keygen' | 'encrypt' | 'decrypt' | 'digest' | 'tag' | 'keyderive' | 'sign' | 'verify' | 'encapsulate' | 'decapsulate'>;
  /** Classical security strength in bits. */
  readonly classicalSecurityLevel: number;
  /** NIST post-quantum security category (0: none of the categories is met). */
  readonly nistQuantumSecurityLevel: number;
  readonly oid?: string;
}

/**
 * Algorithms the stack configures, by the name components use. Security
 * levels follow NIST SP 800-57 part 1 (classical) and the NIST PQC
 * evaluation criteria categories (AES-128 key search = 1, SHA-256 collision
 * = 2, AES-256 key search = 5; elliptic-curve schemes fall to Shor: 0).
 */
export const ALGORITHMS = {
  'AES-128-GCM': { primitive: 'ae', parameterSetIdentifier: '128', mode: 'gcm', cryptoFunctions: ['encrypt', 'decrypt'], classicalSecurityLevel: 128, nistQuantumSecurityLevel: 1, oid: '2.16.840.1.101.3.4.1.6' },
  'AES-256-GCM': { primitive: 'ae', parameterSetIdentifier: '256', mode: 'gcm', cryptoFunctions: ['encrypt', 'decrypt'], classicalSecurityLevel: 256, nistQuantumSecurityLevel: 5, oid: '2.16.840.1.101.3.4.1.46' },
  'AES-256-CBC': { primitive: 'block-cipher', parameterSetIdentifier: '256', mode: 'cbc', padding: 'pkcs7', cryptoFunctions: ['encrypt', 'decrypt'], classicalSecurityLevel: 256, nistQuantumSecurityLevel: 5, oid: '2.16.840.1.101.3.4.1.42' },
  'ChaCha20-Poly1305': { primitive: 'ae', parameterSetIdentifier: '256', cryptoFunctions: ['encrypt', 'decrypt'], classicalSecurityLevel: 256, nistQuantumSecurityLevel: 5, oid: '1.2.840.113549.1.9.16.3.18' },
  X25519: { primitive: 'key-agree', curve: 'curve25519', cryptoFunctions: ['keygen', 'keyderive'], classicalSecurityLevel: 128, nistQuantumSecurityLevel: 0, oid: '1.3.101.110' },
  Ed25519: { primitive: 'signature', curve: 'ed25519', cryptoFunctions: ['keygen', 'sign', 'verify'], classicalSecurityLevel: 128, nistQuantumSecurityLevel: 0, oid: '1.3.101.112' },
  'SHA-256': { primitive: 'hash', parameterSetIdentifier: '256', cryptoFunctions: ['digest'], classicalSecurityLevel: 128, nistQuantumSecurityLevel: 2, oid: '2.16.840.1.101.3.4.2.1' },
  'SHA-384': { primitive: 'hash', parameterSetIdentifier: '384', cryptoFunctions: ['digest'], classicalSecurityLevel: 192, nistQuantumSecurityLevel: 4, oid: '2.16.840.1.101.3.4.2.2' },
  'ECDSA-P256-SHA256': { primitive: 'signature', parameterSetIdentifier: '256', curve: 'secp256r1', cryptoFunctions: ['keygen', 'sign', 'verify'], classicalSecurityLevel: 128, nistQuantumSecurityLevel: 0, oid: '1.2.840.10045.4.3.2' },
  'ECDSA-P384-SHA384': { primitive: 'signature', parameterSetIdentifier: '384', curve: 'secp384r1', cryptoFunctions: ['keygen', 'sign', 'verify'], classicalSecurityLevel: 192, nistQuantumSecurityLevel: 0, oid: '1.2.840.10045.4.3.3' },
  'BLAKE2s-256': { primitive: 'hash', parameterSetIdentifier: '256', cryptoFunctions: ['digest'], classicalSecurityLevel: 128, nistQuantumSecurityLevel: 2, oid: '1.3.6.1.4.1.1722.12.2.2.8' },
} as const satisfies Record<string, AlgorithmSpec>;

/** Name of an algorithm in `ALGORITHMS`. */
export type AlgorithmName = keyof typeof ALGORITHMS;

/** A TLS 1.3 cipher suite (RFC 8446 appendix B.4) and the algorithms it uses. */
export interface CipherSuite {
  readonly name: string;
  /** Algorithm names; each must be declared by the same component. */
  readonly algorithms: readonly AlgorithmName[];
  /** IANA code point, e.g. `0x13,0x01`. */
  readonly identifiers: readonly string[];
}

/** The TLS 1.3 suites: fixed by the protocol, not configurable in Go's crypto/tls (NATS, Kubernetes, Hubble). */
export const TLS13_CIPHER_SUITES: readonly CipherSuite[] = [
  { name: 'TLS_AES_128_GCM_SHA256', algorithms: ['AES-128-GCM', 'SHA-256'], identifiers: ['0x13,0x01'] },
  { name: 'TLS_AES_256_GCM_SHA384', algorithms: ['AES-256-GCM', 'SHA-384'], identifiers: ['0x13,0x02'] },
  { name: 'TLS_CHACHA20_POLY1305_SHA256', algorithms: ['ChaCha20-Poly1305', 'SHA-256'], identifiers: ['0x13,0x03'] },
];

/** A Kubernetes Secret key that holds the material. */
export interface SecretKeyRef {
  readonly namespace: string;
  readonly name: string;
  readonly key: string;
}

/** Fields every asset has. */
interface CryptoAssetBase {
  /** Name, e.g. `WireGuard`, `TLS 1.3`, `ChaCha20-Poly1305`, `NATS server TLS certificate`. */
  readonly name: string;
  /** What it protects, in one line. */
  readonly purpose: string;
  /** Where it is configured; checked like claim evidence. */
  readonly configuredBy: Evidence;
  /** Further facts, free-form and stable (written as `sovra:crypto:<key>` properties). */
  readonly properties?: Readonly<Record<string, string>>;
}

/** An algorithm the component's software runs because of a setting. */
export interface AlgorithmAsset extends CryptoAssetBase {
  readonly type: 'algorithm';
  readonly name: AlgorithmName;
  /** The software whose code implements it, e.g. `kube-apiserver (RKE2, Go BoringCrypto)`. */
  readonly implementation: string;
  /** Certification of that implementation as deployed. @default ['none'] */
  readonly certificationLevel?: readonly CertificationLevel[];
}

/** A protocol with the algorithms it uses. */
export interface ProtocolAsset extends CryptoAssetBase {
  readonly type: 'protocol';
  readonly protocol: {
    readonly type: 'tls' | 'ssh' | 'ipsec' | 'ike' | 'other';
    /** Only when the configuration fixes it. */
    readonly version?: string;
    readonly cipherSuites?: readonly CipherSuite[];
    /** Other algorithms it uses (names declared by the same component). */
    readonly algorithms?: readonly AlgorithmName[];
    /** Both peers present certificates. */
    readonly mutual?: boolean;
  };
}

/** An X.509 certificate by role. */
export interface CertificateAsset extends CryptoAssetBase {
  readonly type: 'certificate';
  readonly certificate: {
    readonly format: 'X.509';
    readonly extension?: string;
    readonly subjectName?: string;
    readonly issuerName?: string;
    /** Where it is kept. */
    readonly secret?: SecretKeyRef;
    /** Who issues it, e.g. `cilium-certgen CronJob`. */
    readonly issuedBy?: string;
  };
}

/** A key, password or other material by role. */
export interface MaterialAsset extends CryptoAssetBase {
  readonly type: 'related-crypto-material';
  readonly material: {
    readonly type: 'private-key' | 'public-key' | 'secret-key' | 'key' | 'password' | 'credential' | 'token';
    /** The algorithm it is used with (declared by the same component). */
    readonly algorithm?: AlgorithmName;
    /** Size in bits, when the software fixes it. */
    readonly size?: number;
    /** e.g. `PKCS#8 PEM`. */
    readonly format?: string;
    /** Where it is kept: a Secret, or a path on the node. */
    readonly secret?: SecretKeyRef;
    readonly nodePath?: string;
  };
}

/** One cryptographic asset and the setting that configures it. */
export type CryptoAsset = AlgorithmAsset | ProtocolAsset | CertificateAsset | MaterialAsset;

/** Options of `tls13Assets`. */
export interface Tls13Options {
  /** Name of the protocol asset, e.g. `TLS 1.3 (NATS client connections)`. */
  readonly name: string;
  readonly purpose: string;
  /** The setting that makes 1.3 the minimum (and so the only) version. */
  readonly configuredBy: Evidence;
  readonly implementation: string;
  /** Certification of the implementation of each algorithm. @default none for all */
  readonly certification?: (algorithm: AlgorithmName) => readonly CertificationLevel[];
  readonly mutual?: boolean;
}

/** A TLS 1.3 protocol asset and the algorithms of its suites, all configured by the one version setting. */
export function tls13Assets(o: Tls13Options): CryptoAsset[] {
  const names = [...new Set(TLS13_CIPHER_SUITES.flatMap((s) => s.algorithms))];
  return [
    {
      type: 'protocol',
      name: o.name,
      purpose: o.purpose,
      configuredBy: o.configuredBy,
      protocol: { type: 'tls', version: '1.3', cipherSuites: TLS13_CIPHER_SUITES, ...(o.mutual ? { mutual: true } : {}) },
    },
    ...names.map(
      (name): AlgorithmAsset => ({
        type: 'algorithm',
        name,
        purpose: `${o.name} cipher suites.`,
        configuredBy: o.configuredBy,
        implementation: o.implementation,
        certificationLevel: o.certification?.(name) ?? ['none'],
      }),
    ),
  ];
}
