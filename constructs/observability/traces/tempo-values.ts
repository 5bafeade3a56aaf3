/**
 * The values Sovra sets on the Tempo chart (2.2.4, single binary), as a
 * pure function of the profile's settings: one Tempo server with its volume
 * (trace blocks there, or its write-ahead log when blocks go to the
 * platform's object store), the block retention of the profile, OTLP over
 * HTTP as its only receiver (the chart's Jaeger receivers are removed), no
 * usage reporting, no token, and the hardened container.
 */
import type { TracesSettings } from '../../../profiles/profile.generated.js';
import type { ImageSpec } from '../../kit/image.js';
import { TRUST_BUNDLE } from '../../kit/shared-names.js';
import type { S3Target } from '../../data/object-store/client.js';

/** Release name; also the chart's full name (StatefulSet and Service `tempo`, ServiceAccount `tempo`). */
export const TEMPO_RELEASE = 'tempo';
/** Pod labels of the Tempo server (the chart's selector labels). */
export const TEMPO_POD_LABELS = { 'app.kubernetes.io/name': 'tempo', 'app.kubernetes.io/instance': TEMPO_RELEASE } as const;
/** Ports of the Tempo server: HTTP (query API and metrics), OTLP over HTTP (the trace collector pushes there). */
export const TEMPO_PORTS = { http: 3200, otlpHttp: 4318 } as const;
/** Port of the one Jaeger receiver left, on loopback (the chart's default gRPC port). */
const JAEGER_LOOPBACK_PORT = 14250;
/** Where the trust bundle is mounted (Go reads SSL_CERT_FILE for its roots: the object store's certificate is the platform CA's). */
export const TEMPO_TRUST_MOUNT = '/etc/sovra/trust';
/** Environment variables the S3 credentials reach Tempo's configuration through (`-config.expand-env=true`). */
export const TEMPO_S3_ENV = { accessKeyId: 'S3_ACCESS_KEY_ID', secretAccessKey: 'S3_SECRET_ACCESS_KEY' } as const;

/** Where Tempo keeps trace blocks, resolved by the component. */
export type TempoStorage = { readonly type: 'local' } | S3Target;

/** The chart's values. */
export function tempoValues(i: { settings: TracesSettings; image: ImageSpec; storage: TempoStorage }): Record<string, unknown> {
  const s = i.settings;
  const s3 = i.storage.type === 's3' ? i.storage : undefined;
  const trust = s3?.platformCa ?? false;
  const trace = s3
    ? {
        backend: 's3',
        // The chart's default local path is deleted: blocks are in the bucket.
        local: null,
        s3: { bucket: s3.bucket, endpoint: s3.endpoint, access_key: `\${${TEMPO_S3_ENV.accessKeyId}}`, secret_key: `\${${TEMPO_S3_ENV.secretAccessKey}}`, insecure: false, forcepathstyle: true },
        wal: { path: '/var/tempo/wal' },
      }
    : { backend: 'local', local: { path: '/var/tempo/traces' }, wal: { path: '/var/tempo/wal' } };
  const env = s3
    ? [
        { name: TEMPO_S3_ENV.accessKeyId, valueFrom: { secretKeyRef: { name: s3.credentialsSecret, key: s3.keys.accessKeyId } } },
        { name: TEMPO_S3_ENV.secretAccessKey, valueFrom: { secretKeyRef: { name: s3.credentialsSecret, key: s3.keys.secretAccessKey } } },
        ...(trust ? [{ name: 'SSL_CERT_FILE', value: `${TEMPO_TRUST_MOUNT}/${TRUST_BUNDLE.key}` }] : []),
      ]
    : [];
  return {
    replicas: 1,
    tempo: {
      registry: i.image.registry,
      repository: i.image.repository,
      // The chart writes `<registry>/<repository>:<tag>` and has no digest value: a locked image is pinned as `<tag>@<digest>`.
      tag: i.image.digest ? `${i.image.tag}@${i.image.digest}` : i.image.tag,
      resources: { requests: { cpu: s.cpu, memory: s.memory }, limits: { cpu: s.cpu, memory: s.memory } },
      reportingEnabled: false,
      retention: s.retention,
      server: { http_listen_port: TEMPO_PORTS.http },
      storage: { trace },
      // OTLP over HTTP is the one receiver other pods reach (the trace collector's exporter); null deletes a chart default in Helm.
      // The chart's Service template reads the Jaeger protocols, so one stays, on loopback: no other pod can reach it.
      receivers: {
        jaeger: { protocols: { grpc: { endpoint: `127.0.0.1:${JAEGER_LOOPBACK_PORT}` }, thrift_binary: null, thrift_compact: null, thrift_http: null } },
        otlp: { protocols: { grpc: null, http: { endpoint: `0.0.0.0:${TEMPO_PORTS.otlpHttp}` } } },
      },
      securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
      ...(s3 ? { extraArgs: { 'config.expand-env': 'true' } } : {}),
      extraEnv: env,
      extraVolumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, ...(trust ? [{ name: 'sovra-trust', mountPath: TEMPO_TRUST_MOUNT, readOnly: true }] : [])],
    },
    securityContext: { runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    // Tempo reads nothing from the API server.
    serviceAccount: { create: true, automountServiceAccountToken: false },
    persistence: { enabled: true, size: s.volumeSize, ...(s.storageClass ? { storageClassName: s.storageClass } : {}) },
    extraVolumes: [{ name: 'tmp', emptyDir: {} }, ...(trust ? [{ name: 'sovra-trust', configMap: { name: TRUST_BUNDLE.name } }] : [])],
    tempoQuery: { enabled: false },
    serviceMonitor: { enabled: false },
  };
}
