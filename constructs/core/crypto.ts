/** Cryptographic assets a component configures, for the CBOM. */
import type { Evidence } from './claims.js';

/** Kinds of cryptographic asset, as CycloneDX 1.6 names them. */
export type CryptoAssetType = 'algorithm' | 'protocol' | 'certificate' | 'related-crypto-material';

/** One cryptographic asset and the setting that configures it. */
export interface CryptoAsset {
  /** Name, e.g. `WireGuard`, `TLS 1.3`, `ChaCha20-Poly1305`. */
  readonly name: string;
  readonly type: CryptoAssetType;
  /** What it protects, in one line. */
  readonly purpose: string;
  /** Where it is configured; checked like claim evidence. */
  readonly configuredBy: Evidence;
  /** Algorithm details (primitive, parameter set) or protocol version, free-form and stable. */
  readonly properties?: Readonly<Record<string, string>>;
}
