/**
 * The seal of OpenBao's root key, per setting: the `seal` stanza of the
 * server configuration, the Secret it reads (supplied at install, never in
 * the output), the egress it needs, and the one setting that evidences it.
 * Every parameter name is that of the OpenBao 2.6 documentation
 * (website/content/docs/configuration/seal/*.mdx at tag v2.6.2).
 */
import { SovraError } from '../../../core/errors.js';
import type { OpenBaoSeal } from '../../../profiles/profile.generated.js';

/** Name of the Secret every auto-unseal reads (supplied at install). */
export const SEAL_SECRET = 'openbao-seal';
/** Where the seal Secret is mounted in the server container. */
export const SEAL_MOUNT = '/openbao/seal';
/** Environment variable the transit seal reads its token from (`env://`), kept apart from the CLI's BAO_TOKEN/VAULT_TOKEN. */
export const TRANSIT_TOKEN_ENV = 'OPENBAO_TRANSIT_SEAL_TOKEN';

/** A value of the seal stanza (strings and booleans, as OpenBao parses them). */
export type SealStanza = Record<string, Record<string, string>>;

/** What a seal setting asks of the server. */
export interface SealPlan {
  /** `shamir`, `static`, `transit`, `awskms` or `gcpckms`. */
  readonly kind: 'shamir' | 'static' | 'transit' | 'awskms' | 'gcpckms';
  /** Whether the server unseals itself (recovery keys instead of unseal keys; self-initialization possible). */
  readonly auto: boolean;
  /** The `seal` stanza; absent for Shamir (OpenBao's default). */
  readonly stanza?: SealStanza;
  /** Keys of the Secret SEAL_SECRET, each with what it holds; empty when no Secret is read. */
  readonly secretKeys: ReadonlyArray<{ readonly key: string; readonly holds: string }>;
  /** Keys mounted as files under SEAL_MOUNT (the rest are read as environment variables). */
  readonly fileKeys: readonly string[];
  /** Environment variables read from SEAL_SECRET. */
  readonly env: ReadonlyArray<{ readonly envName: string; readonly secretName: string; readonly secretKey: string }>;
  /** Hosts outside the cluster the server must reach to unseal, with the port. */
  readonly egress?: { readonly fqdns: readonly string[]; readonly port: number };
  /** The stanza field that evidences the seal (path below `seal`), and its value. */
  readonly evidence?: { readonly path: string; readonly value: string };
  /** One sentence for the SSP: how the root key is protected. */
  readonly statement: string;
}

/** The settings of the chosen type; the profile schema requires them, so their absence is a bug. */
function settingsOf<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`components.openbao.seal.${what} is missing although the profile schema requires it`);
  return value;
}

/** The plan for a seal setting. `airGapped` profiles cannot reach a cloud KMS. */
export function sealPlan(setting: OpenBaoSeal, airGapped: boolean): SealPlan {
  switch (setting.type) {
    case 'shamir':
      return {
        kind: 'shamir',
        auto: false,
        secretKeys: [],
        fileKeys: [],
        env: [],
        statement: "The root key is split with Shamir's secret sharing among key holders at initialization; every server stays sealed after a restart until a threshold of holders unseals it (README, OpenBao runbook).",
      };
    case 'static': {
      const seal = settingsOf(setting.static, 'static');
      return {
        kind: 'static',
        auto: true,
        stanza: { static: { current_key_id: seal.keyId, current_key: `file://${SEAL_MOUNT}/key` } },
        secretKeys: [{ key: 'key', holds: '32-byte AES-256-GCM key (raw, hex or base64) that wraps the root key' }],
        fileKeys: ['key'],
        env: [],
        evidence: { path: 'static.current_key', value: `file://${SEAL_MOUNT}/key` },
        statement: `The root key is wrapped with AES-256-GCM under a static 32-byte key (id ${seal.keyId}) read from the Secret ${SEAL_SECRET}, supplied at install. The key sits beside the data it protects: anyone with the node's disk or the cluster's Secrets can unseal.`,
      };
    }
    case 'transit': {
      const seal = settingsOf(setting.transit, 'transit');
      const url = new URL(seal.address);
      return {
        kind: 'transit',
        auto: true,
        stanza: {
          transit: {
            address: seal.address,
            key_name: seal.keyName,
            mount_path: seal.mountPath,
            token: `env://${TRANSIT_TOKEN_ENV}`,
            tls_ca_cert: `${SEAL_MOUNT}/ca.crt`,
            tls_skip_verify: 'false',
          },
        },
        secretKeys: [
          { key: 'token', holds: 'OpenBao token (orphan, periodic) allowed to encrypt and decrypt with the transit key' },
          { key: 'ca.crt', holds: 'CA certificate of the transit OpenBao' },
        ],
        fileKeys: ['ca.crt'],
        env: [{ envName: TRANSIT_TOKEN_ENV, secretName: SEAL_SECRET, secretKey: 'token' }],
        egress: { fqdns: [url.hostname], port: url.port ? Number(url.port) : 443 },
        evidence: { path: 'transit.key_name', value: seal.keyName },
        statement: `The root key is wrapped by the Transit key ${seal.keyName} of the OpenBao at ${seal.address}, which holds the key outside this cluster.`,
      };
    }
    case 'kms': {
      const kms = settingsOf(setting.kms, 'kms');
      if (airGapped) {
        throw new SovraError('bad-profile', `components.openbao.seal: a cloud KMS (${kms.provider}) cannot be reached from an air-gapped profile. Use "static", "transit" (an OpenBao inside the site) or "shamir".`);
      }
      if (kms.provider === 'awskms') {
        const seal = settingsOf(kms.awskms, 'kms.awskms');
        return {
          kind: 'awskms',
          auto: true,
          stanza: { awskms: { region: seal.region, kms_key_id: seal.kmsKeyId } },
          secretKeys: [
            { key: 'AWS_ACCESS_KEY_ID', holds: 'access key id of an IAM principal allowed kms:Encrypt, kms:Decrypt, kms:DescribeKey on the key' },
            { key: 'AWS_SECRET_ACCESS_KEY', holds: 'its secret access key' },
          ],
          fileKeys: [],
          env: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'].map((k) => ({ envName: k, secretName: SEAL_SECRET, secretKey: k })),
          egress: { fqdns: [`kms.${seal.region}.amazonaws.com`], port: 443 },
          evidence: { path: 'awskms.kms_key_id', value: seal.kmsKeyId },
          statement: `The root key is wrapped by the AWS KMS key ${seal.kmsKeyId} (${seal.region}), which never leaves the KMS.`,
        };
      }
      const seal = settingsOf(kms.gcpckms, 'kms.gcpckms');
      return {
        kind: 'gcpckms',
        auto: true,
        stanza: {
          gcpckms: { credentials: `${SEAL_MOUNT}/credentials.json`, project: seal.project, region: seal.region, key_ring: seal.keyRing, crypto_key: seal.cryptoKey },
        },
        secretKeys: [{ key: 'credentials.json', holds: 'service account key with roles/cloudkms.cryptoKeyEncrypterDecrypter and cloudkms.cryptoKeys.get on the key' }],
        fileKeys: ['credentials.json'],
        env: [],
        egress: { fqdns: ['cloudkms.googleapis.com', 'oauth2.googleapis.com'], port: 443 },
        evidence: { path: 'gcpckms.crypto_key', value: seal.cryptoKey },
        statement: `The root key is wrapped by the Cloud KMS key ${seal.project}/${seal.region}/${seal.keyRing}/${seal.cryptoKey}, which never leaves the KMS.`,
      };
    }
  }
}
