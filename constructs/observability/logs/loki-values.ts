/**
 * The values Sovra sets on the Loki chart (18.11.0), as a pure function of
 * the profile's settings: Loki as one binary (the chart's Monolithic mode,
 * three replicas with replication factor 3 where the profile is highly
 * available and stores in the object store), TSDB index schema v13, its
 * filesystem or the platform's object store, retention by the compactor
 * (every stream, and the audit streams for longer), the OTLP attribute that
 * marks audit records indexed as a label, no usage reporting, and none of
 * the chart's extras (gateway, canary, caches, rules sidecar, test pod):
 * each would run an image and open a port the platform does not declare.
 */
import type { LogsSettings } from '../../../profiles/profile.generated.js';
import type { ImageSpec } from '../../kit/image.js';
import { TRUST_BUNDLE } from '../../kit/shared-names.js';
import type { S3Target } from '../../data/object-store/client.js';

/** Release name; also the chart's full name (Services `loki`, `loki-headless`, `loki-memberlist`, StatefulSet `loki`). */
export const LOKI_RELEASE = 'loki';
/** Name of the Loki servers' pod group in component logs (Grafana's and the collectors' peer). */
export const LOKI_PODS_NAME = 'loki';
/** Pod labels of the Loki servers (the chart's selector labels of the single binary). */
export const LOKI_POD_LABELS = { 'app.kubernetes.io/name': 'loki', 'app.kubernetes.io/instance': LOKI_RELEASE, 'app.kubernetes.io/component': 'single-binary' } as const;
/** Ports of the Loki servers: HTTP (push, query, metrics), gRPC between servers, memberlist gossip. */
export const LOKI_PORTS = { http: 3100, grpc: 9095, memberlist: 7946 } as const;
/** The resource attribute the collector sets on audit records; Loki indexes it as the label AUDIT_LABEL. */
export const AUDIT_ATTRIBUTE = 'sovra.log.kind';
/** The stream label of audit records in Loki (OTLP attribute names with dots become underscores). */
export const AUDIT_LABEL = 'sovra_log_kind';
/** The value of AUDIT_ATTRIBUTE on audit records. */
export const AUDIT_KIND = 'audit';
/** The Loki stream selector of every audit record. */
export const AUDIT_SELECTOR = `{${AUDIT_LABEL}="${AUDIT_KIND}"}`;
/** Where the trust bundle is mounted (Go reads SSL_CERT_FILE for its roots: the object store's certificate is the platform CA's). */
export const TRUST_MOUNT = '/etc/sovra/trust';
/** Environment variables the S3 credentials reach Loki's configuration through (`-config.expand-env`, which the chart sets). */
export const S3_ENV = { accessKeyId: 'S3_ACCESS_KEY_ID', secretAccessKey: 'S3_SECRET_ACCESS_KEY' } as const;

/** Where Loki stores, resolved by the component. */
export type LokiStorage = { readonly type: 'filesystem' } | S3Target;

/** Replicas of Loki: three (replication factor 3) where the profile is highly available and the chunks are in the object store; one otherwise. */
export function lokiReplicas(s: LogsSettings, highAvailability: boolean): number {
  return highAvailability && s.storage === 'object-store' ? 3 : 1;
}

/** The chart's values. */
export function lokiValues(i: { settings: LogsSettings; image: ImageSpec; storage: LokiStorage; replicas: number }): Record<string, unknown> {
  const s = i.settings;
  const s3 = i.storage.type === 's3' ? i.storage : undefined;
  const objectStore = s3 ? 's3' : 'filesystem';
  const env = s3
    ? [
        { name: S3_ENV.accessKeyId, valueFrom: { secretKeyRef: { name: s3.credentialsSecret, key: s3.keys.accessKeyId } } },
        { name: S3_ENV.secretAccessKey, valueFrom: { secretKeyRef: { name: s3.credentialsSecret, key: s3.keys.secretAccessKey } } },
        ...(s3.platformCa ? [{ name: 'SSL_CERT_FILE', value: `${TRUST_MOUNT}/${TRUST_BUNDLE.key}` }] : []),
      ]
    : [];
  const trust = s3?.platformCa ?? false;
  return {
    deploymentMode: 'Monolithic',
    loki: {
      image: { registry: i.image.registry, repository: i.image.repository, tag: i.image.tag, ...(i.image.digest ? { digest: i.image.digest } : {}) },
      // One tenant: who may read and write is decided by the network allow-list, the mesh and Grafana's login (README, Logs).
      auth_enabled: false,
      commonConfig: { replication_factor: i.replicas },
      storage: s3
        ? {
            type: 's3',
            bucketNames: { chunks: s3.bucket },
            s3: { endpoint: s3.endpoint, accessKeyId: `\${${S3_ENV.accessKeyId}}`, secretAccessKey: `\${${S3_ENV.secretAccessKey}}`, s3ForcePathStyle: true, insecure: false },
          }
        : { type: 'filesystem' },
      schemaConfig: { configs: [{ from: '2024-04-01', store: 'tsdb', object_store: objectStore, schema: 'v13', index: { prefix: 'index_', period: '24h' } }] },
      // No recording or alerting rules are loaded into Loki (the ruler reads an empty local directory); alerts are Prometheus's.
      rulerConfig: { storage: { type: 'local', local: { directory: '/var/loki/rules' } } },
      limits_config: {
        retention_period: s.retention,
        retention_stream: [{ selector: AUDIT_SELECTOR, priority: 1, period: s.auditRetention }],
        otlp_config: { resource_attributes: { attributes_config: [{ action: 'index_label', attributes: [AUDIT_ATTRIBUTE] }] } },
      },
      compactor: { working_directory: '/var/loki/compactor', compaction_interval: '10m', retention_enabled: true, retention_delete_delay: '2h', delete_request_store: objectStore },
      analytics: { reporting_enabled: false },
    },
    singleBinary: {
      replicas: i.replicas,
      sidecar: false,
      resources: { requests: { cpu: s.cpu, memory: s.memory }, limits: { cpu: s.cpu, memory: s.memory } },
      persistence: { enabled: true, size: s.volumeSize, ...(s.storageClass ? { storageClass: s.storageClass } : {}) },
      extraEnv: env,
      extraVolumes: trust ? [{ name: 'sovra-trust', configMap: { name: TRUST_BUNDLE.name } }] : [],
      extraVolumeMounts: trust ? [{ name: 'sovra-trust', mountPath: TRUST_MOUNT, readOnly: true }] : [],
      podDisruptionBudget: { enabled: i.replicas > 1, maxUnavailable: 1 },
    },
    read: { replicas: 0 },
    write: { replicas: 0 },
    backend: { replicas: 0 },
    // Loki reads nothing from the API server: no token in its pods, no RBAC objects.
    serviceAccount: { create: true, automountServiceAccountToken: false },
    defaults: { automountServiceAccountToken: false },
    rbac: { namespaced: true },
    sidecar: { rules: { enabled: false } },
    gateway: { enabled: false },
    lokiCanary: { enabled: false },
    test: { enabled: false },
    chunksCache: { enabled: false },
    resultsCache: { enabled: false },
    memcached: { enabled: false },
    minio: { enabled: false },
    rollout_operator: { enabled: false },
  };
}
