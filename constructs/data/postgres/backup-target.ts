/**
 * Where the profile sends PostgreSQL backups, resolved once for every
 * cluster: an S3-compatible endpoint named in the postgres settings (the
 * Secret supplied at install), or the platform's object store
 * (components.object-store: the MinIO Tenant, whose certificate the platform
 * CA verifies, or the site's endpoint), with the access key pair read from
 * OpenBao through an ExternalSecret in the cluster's namespace.
 */
import type { Peer } from '../../kit/network.js';
import type { Profile } from '../../../profiles/profile.generated.js';
import { objectStoreEndpoint, S3_CREDENTIAL_KEYS } from '../object-store/endpoint.js';

/** Name of the credentials Secret when backups go to the platform's object store. */
export const OBJECT_STORE_BACKUP_SECRET = 'postgres-backup-s3';

/** The backup settings every cluster of a profile is written with. */
export interface ResolvedBackup {
  readonly endpointURL: string;
  readonly bucket: string;
  readonly path?: string;
  readonly retention: string;
  readonly schedule: string;
  readonly encryption?: 'AES256' | 'aws:kms' | 'bucket-default';
  /** Secret with ACCESS_KEY_ID and ACCESS_SECRET_KEY in the cluster's namespace. */
  readonly credentialsSecret: string;
  /** Where that Secret comes from. */
  readonly credentials: { readonly source: 'supplied-at-install' } | { readonly source: 'openbao'; readonly path: string };
  /** Whether the store's certificate is issued by the platform issuer (barman-cloud then verifies it with the cluster's `ca.crt`). */
  readonly platformCa: boolean;
  /** The peer the instances declare to reach the store. */
  readonly peer: Peer;
  /** The store, for statements: `the platform's object store (MinIO)` or the endpoint. */
  readonly store: string;
}

/** The profile's backups, or undefined when they are off. */
export function resolveBackup(profile: Profile): ResolvedBackup | undefined {
  const b = profile.components.postgres.backup;
  if (!b.enabled) return undefined;
  const common = { retention: b.retention, schedule: b.schedule, ...(b.path ? { path: b.path } : {}), ...(b.encryption ? { encryption: b.encryption } : {}) };
  if ('store' in b) {
    const os = objectStoreEndpoint(profile);
    return {
      ...common,
      endpointURL: os.url,
      bucket: os.buckets.backups,
      credentialsSecret: OBJECT_STORE_BACKUP_SECRET,
      credentials: os.credentials('postgres-backup'),
      platformCa: os.platformCa,
      peer: os.peer,
      store: os.mode === 'minio' ? "the platform's object store (MinIO)" : `the site's object store at ${os.url}`,
    };
  }
  const endpoint = new URL(b.endpointURL);
  return {
    ...common,
    endpointURL: b.endpointURL,
    bucket: b.bucket,
    credentialsSecret: b.credentialsSecret,
    credentials: { source: 'supplied-at-install' },
    platformCa: false,
    peer: { entity: 'world', ports: [{ port: endpoint.port ? Number(endpoint.port) : 443 }], fqdns: [endpoint.hostname] },
    store: b.endpointURL,
  };
}

export { S3_CREDENTIAL_KEYS };
