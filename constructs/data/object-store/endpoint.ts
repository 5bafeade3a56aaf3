/**
 * The platform's object store as its clients see it, from the profile alone
 * (so a client works whether or not the object-store component is built
 * before it): the in-cluster MinIO Tenant behind OBJECT_STORE, or the site's
 * existing S3-compatible endpoint. Clients declare the peer, trust the CA
 * and read their access key pair as this says.
 */
import type { Peer } from '../../kit/network.js';
import { OBJECT_STORE } from '../../kit/shared-names.js';
import type { Profile } from '../../../profiles/profile.generated.js';

/** Where a client's access key pair (keys ACCESS_KEY_ID, ACCESS_SECRET_KEY) comes from. */
export type ObjectStoreCredentials =
  /** OpenBao's KV store at `path` (properties ACCESS_KEY_ID and ACCESS_SECRET_KEY), through an ExternalSecret in the client's namespace. */
  | { readonly source: 'openbao'; readonly path: string }
  /** The site creates the Secret in the client's namespace before install. */
  | { readonly source: 'supplied-at-install' };

/** The object store a profile gives its clients. */
export interface ObjectStoreEndpoint {
  /** `minio`: the platform's Tenant; `external`: the site's store. */
  readonly mode: 'minio' | 'external';
  /** HTTPS endpoint URL (no path). */
  readonly url: string;
  readonly buckets: { readonly models: string; readonly backups: string; readonly logs: string; readonly traces: string };
  /** The peer a client's pods declare to reach it. */
  readonly peer: Peer;
  /** Whether its certificate is issued by the platform's issuer (then clients verify it with the platform CA). */
  readonly platformCa: boolean;
  /** Where the access key pair of a client comes from. */
  readonly credentials: (client: ObjectStoreClient) => ObjectStoreCredentials;
}

/** The platform's clients of the object store: PostgreSQL backups, Loki (logs) and Tempo (traces). */
export type ObjectStoreClient = 'postgres-backup' | 'logs' | 'traces';

/** Pod group of the MinIO servers and the port clients reach (the Service's 443 maps to 9000). */
export const MINIO_SERVER_PODS = { name: 'minio', port: 's3', containerPort: 9000 } as const;

/** OpenBao KV path (relative to the KV mount) of the PostgreSQL backup user's key pair on the platform's MinIO. */
export const BACKUP_USER_OPENBAO_PATH = 'object-store/postgres-backup';

/**
 * Each client's user on the platform's MinIO: the OpenBao KV path of its
 * key pair (properties ACCESS_KEY_ID and ACCESS_SECRET_KEY, read by the
 * client's ExternalSecret and by the Tenant's user Secret alike), the
 * Tenant's user Secret, and the bucket its MinIO policy is limited to.
 */
export const OBJECT_STORE_USERS: Readonly<Record<ObjectStoreClient, { readonly openbaoPath: string; readonly userSecret: string; readonly bucket: keyof ObjectStoreEndpoint['buckets'] }>> = {
  'postgres-backup': { openbaoPath: BACKUP_USER_OPENBAO_PATH, userSecret: 'object-store-backup-user', bucket: 'backups' },
  logs: { openbaoPath: 'object-store/logs', userSecret: 'object-store-logs-user', bucket: 'logs' },
  traces: { openbaoPath: 'object-store/traces', userSecret: 'object-store-traces-user', bucket: 'traces' },
};

/**
 * The clients of the object store a profile has, each with a user on the
 * platform's MinIO: PostgreSQL backups always (as before backups are turned
 * on, so turning them on needs no new user), Loki and Tempo where the
 * profile installs them with object storage.
 */
export function objectStoreClients(profile: Profile): ObjectStoreClient[] {
  const c = profile.components;
  return [
    'postgres-backup',
    ...(c.logs.enabled && c.logs.storage === 'object-store' ? (['logs'] as const) : []),
    ...(c.traces.enabled && c.traces.storage === 'object-store' ? (['traces'] as const) : []),
  ];
}

/** Keys of a client's credentials Secret (barman-cloud's names, also the OpenBao properties). */
export const S3_CREDENTIAL_KEYS = { accessKeyId: 'ACCESS_KEY_ID', secretAccessKey: 'ACCESS_SECRET_KEY' } as const;

/** The object store of `profile`. */
export function objectStoreEndpoint(profile: Profile): ObjectStoreEndpoint {
  const s = profile.components['object-store'];
  if (s.mode === 'minio') {
    return {
      mode: 'minio',
      url: OBJECT_STORE.url,
      buckets: OBJECT_STORE.buckets,
      peer: { component: OBJECT_STORE.component, pods: MINIO_SERVER_PODS.name, port: MINIO_SERVER_PODS.port },
      platformCa: true,
      credentials: (client) => ({ source: 'openbao', path: OBJECT_STORE_USERS[client].openbaoPath }),
    };
  }
  const u = new URL(s.endpointURL);
  const creds: ObjectStoreCredentials = s.credentials.source === 'openbao' ? { source: 'openbao', path: s.credentials.path } : { source: 'supplied-at-install' };
  return {
    mode: 'external',
    url: `${u.protocol}//${u.host}`,
    buckets: s.buckets,
    peer: { entity: 'world', ports: [{ port: u.port ? Number(u.port) : 443 }], fqdns: [u.hostname] },
    platformCa: false,
    credentials: () => creds,
  };
}
