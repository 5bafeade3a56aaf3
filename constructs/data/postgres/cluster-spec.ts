/**
 * The CloudNativePG `Cluster` and `ScheduledBackup` specs Sovra writes, as
 * pure functions of a cluster's props and the profile's postgres settings.
 * Field names follow the Cluster v1 CRD of CloudNativePG 1.30 (chart
 * cloudnative-pg 0.29.0, templates/crds/crds.yaml); the synth validates
 * them against the shipped schema of that kind.
 */
import type { PostgresSettings } from '../../../profiles/profile.generated.js';
import type { ResolvedBackup } from './backup-target.js';

/** TCP port of PostgreSQL. */
export const POSTGRES_PORT = 5432;
/** Port of the instance manager's status endpoint, which the operator calls on every instance. */
export const INSTANCE_STATUS_PORT = 8000;
/** Port of the instance manager's metrics exporter. */
export const INSTANCE_METRICS_PORT = 9187;
/** Pod label CloudNativePG puts on every pod of a cluster (instances and bootstrap jobs). */
export const CLUSTER_LABEL = 'cnpg.io/cluster';
/** UID and GID of `postgres` in CloudNativePG's operand images (the CRD's postgresUID/postgresGID default). */
export const POSTGRES_UID = 26;
/** Keys of the Secret with the object store credentials (barman-cloud's S3 access key pair). */
export const BACKUP_SECRET_KEYS = { accessKeyId: 'ACCESS_KEY_ID', secretAccessKey: 'ACCESS_SECRET_KEY' } as const;

/**
 * Host-based authentication rules placed before CloudNativePG's default
 * `host all all all scram-sha-256`: a client without TLS is rejected, a
 * client with TLS authenticates by SCRAM-SHA-256. The operator's own rules
 * (local peer, replication by certificate) come first and are unchanged.
 */
export const PG_HBA = ['hostnossl all all all reject', 'hostssl all all all scram-sha-256'] as const;

/** PostgreSQL settings the claims cite: TLS 1.3 only, SCRAM verifiers, and the events logged (AU-2). */
export const POSTGRES_PARAMETERS = {
  ssl_min_protocol_version: 'TLSv1.3',
  password_encryption: 'scram-sha-256',
  log_connections: 'on',
  log_disconnections: 'on',
  log_statement: 'ddl',
} as const;

/** What a cluster spec is made from. */
export interface ClusterSpecInput {
  readonly name: string;
  readonly namespace: string;
  readonly database: string;
  readonly owner: string;
  readonly instances: number;
  readonly storage: string;
  readonly extensions: readonly string[];
  readonly purpose: string;
  /** Image reference as written (by digest when locked). */
  readonly imageName: string;
  /** Secret with the server certificate, its key and the issuing CA. */
  readonly tlsSecret: string;
  readonly resources: { readonly cpu: string; readonly memory: string };
  readonly settings: PostgresSettings;
  /** Backups of the profile, resolved (backup-target.ts). */
  readonly backup?: ResolvedBackup;
}

/** The object store location of a cluster's backups: `s3://<bucket>/<path>/<namespace>` (barman-cloud adds the cluster name). */
export function backupDestination(backup: Pick<ResolvedBackup, 'bucket' | 'path'>, namespace: string): string {
  return `s3://${backup.bucket}/${backup.path ?? 'postgres'}/${namespace}`;
}

/** barman-cloud's `encryption` for data and WAL, or nothing when the bucket's policy decides. */
function serverSideEncryption(backup: Pick<ResolvedBackup, 'encryption'>): { encryption?: 'AES256' | 'aws:kms' } {
  const e = backup.encryption ?? 'AES256';
  return e === 'bucket-default' ? {} : { encryption: e };
}

/**
 * `spec.backup` of a cluster: WAL archive and base backups by barman-cloud, with retention, to the profile's object store.
 * `tlsSecret` is the cluster's server certificate Secret: its `ca.crt` (the platform CA) verifies a store the platform issues for.
 */
export function backupSpec(backup: ResolvedBackup, namespace: string, tlsSecret?: string): Record<string, unknown> {
  return {
    retentionPolicy: backup.retention,
    target: 'prefer-standby',
    barmanObjectStore: {
      destinationPath: backupDestination(backup, namespace),
      endpointURL: backup.endpointURL,
      ...(backup.platformCa && tlsSecret ? { endpointCA: { name: tlsSecret, key: 'ca.crt' } } : {}),
      s3Credentials: {
        accessKeyId: { name: backup.credentialsSecret, key: BACKUP_SECRET_KEYS.accessKeyId },
        secretAccessKey: { name: backup.credentialsSecret, key: BACKUP_SECRET_KEYS.secretAccessKey },
      },
      wal: { compression: 'gzip', ...serverSideEncryption(backup) },
      data: { compression: 'gzip', ...serverSideEncryption(backup) },
    },
  };
}

/** The Cluster's `spec`. */
export function clusterSpec(i: ClusterSpecInput): Record<string, unknown> {
  const replicated = i.instances > 1;
  const backup = i.backup;
  const resources = { cpu: i.resources.cpu, memory: i.resources.memory };
  return {
    description: i.purpose,
    instances: i.instances,
    imageName: i.imageName,
    enableSuperuserAccess: false,
    // One instance has no standby to fail over to: a PDB would only block node drains.
    enablePDB: replicated,
    primaryUpdateStrategy: 'unsupervised',
    primaryUpdateMethod: replicated ? 'switchover' : 'restart',
    storage: { size: i.storage, ...(i.settings.storageClass ? { storageClass: i.settings.storageClass } : {}) },
    resources: { requests: resources, limits: resources },
    bootstrap: {
      initdb: {
        database: i.database,
        owner: i.owner,
        dataChecksums: true,
        encoding: 'UTF8',
        // Runs as superuser in the application database; CREATE EXTENSION fails the
        // bootstrap (and so the cluster) when the image does not ship the extension.
        ...(i.extensions.length > 0 ? { postInitApplicationSQL: i.extensions.map((e) => `CREATE EXTENSION IF NOT EXISTS ${e};`) } : {}),
      },
    },
    postgresql: {
      parameters: { ...POSTGRES_PARAMETERS },
      pg_hba: [...PG_HBA],
      // Quorum commit: every write waits for one standby (CP-10); writes stop rather than lose durability.
      ...(replicated ? { synchronous: { method: 'any', number: 1, dataDurability: 'required' } } : {}),
    },
    certificates: { serverTLSSecret: i.tlsSecret, serverCASecret: i.tlsSecret },
    monitoring: { tls: { enabled: true } },
    affinity: {
      enablePodAntiAffinity: true,
      topologyKey: 'kubernetes.io/hostname',
      podAntiAffinityType: replicated ? 'required' : 'preferred',
    },
    ...(replicated
      ? { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { [CLUSTER_LABEL]: i.name } } }] }
      : {}),
    // The operator's defaults, written out so the hardened baseline is visible in the output.
    seccompProfile: { type: 'RuntimeDefault' },
    podSecurityContext: { runAsNonRoot: true, runAsUser: POSTGRES_UID, runAsGroup: POSTGRES_UID, fsGroup: POSTGRES_UID, seccompProfile: { type: 'RuntimeDefault' } },
    securityContext: {
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    ...(backup ? { backup: backupSpec(backup, i.namespace, i.tlsSecret) } : {}),
  };
}

/** The ScheduledBackup's `spec`: base backups of `cluster` on the profile's schedule, the first one at once. */
export function scheduledBackupSpec(backup: Pick<ResolvedBackup, 'schedule'>, cluster: string): Record<string, unknown> {
  return {
    cluster: { name: cluster },
    schedule: backup.schedule,
    method: 'barmanObjectStore',
    immediate: true,
    backupOwnerReference: 'self',
  };
}
