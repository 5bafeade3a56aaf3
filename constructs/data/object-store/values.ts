/**
 * The values Sovra sets on the MinIO operator and tenant charts (7.1.1),
 * typed after their values.yaml, as pure functions of the profile's
 * settings and the resolved images.
 */
import type { ObjectStoreMinio } from '../../../profiles/profile.generated.js';
import type { ImageSpec } from '../../kit/image.js';
import { OBJECT_STORE } from '../../kit/shared-names.js';

/** Name of the Tenant: its pods are `<name>-pool-0-<n>`, its headless Service `<name>-hl`. */
export const TENANT_NAME = 'sovra';
/** UID and GID the MinIO servers run as (the tenant chart's default). */
export const MINIO_UID = 1000;
/** Pod label the operator puts on every pod of a Tenant. */
export const TENANT_LABEL = 'v1.min.io/tenant';
/** Secrets of the Tenant. */
export const TENANT_SECRETS = {
  /** `config.env` with the root user's credentials (the operator and the servers read it). */
  config: 'object-store-env',
  /** Server certificate of the S3 API. */
  tls: 'object-store-tls',
  /** MinIO's KMS key: `MINIO_KMS_SECRET_KEY` = `<key name>:<base64 of 32 bytes>`. */
  kms: 'object-store-kms-key',
} as const;
/** Key of the KMS Secret. */
export const KMS_SECRET_KEY = 'MINIO_KMS_SECRET_KEY';
/** Pod labels of the operator (the chart's selector labels). */
export const OPERATOR_LABELS = (release: string) => ({ 'app.kubernetes.io/name': 'operator', 'app.kubernetes.io/instance': release }) as const;

/** Values of the operator chart. */
export interface MinioOperatorValues {
  readonly operator: {
    readonly env: ReadonlyArray<{ readonly name: string; readonly value: string }>;
    readonly image: ChartImage;
    readonly sidecarImage: ChartImage;
    readonly replicaCount: number;
    readonly resources: { readonly requests: Record<string, string>; readonly limits: Record<string, string> };
  };
}

/** An environment variable of the MinIO servers. */
export type TenantEnv = { readonly name: string; readonly value: string } | { readonly name: string; readonly valueFrom: { readonly secretKeyRef: { readonly name: string; readonly key: string } } };

/** Values of the tenant chart. */
export interface MinioTenantValues {
  readonly tenant: {
    readonly name: string;
    readonly image: ChartImage;
    readonly configSecret: { readonly name: string; readonly existingSecret: boolean; readonly accessKey: string; readonly secretKey: string };
    readonly pools: ReadonlyArray<{
      readonly servers: number;
      readonly name: string;
      readonly volumesPerServer: number;
      readonly size: string;
      readonly storageClassName?: string;
      readonly resources: { readonly requests: Record<string, string>; readonly limits: Record<string, string> };
      readonly securityContext: Record<string, unknown>;
      readonly containerSecurityContext: Record<string, unknown>;
      readonly affinity?: Record<string, unknown>;
    }>;
    readonly certificate: { readonly requestAutoCert: boolean; readonly externalCertSecret: ReadonlyArray<{ readonly name: string; readonly type: string }>; readonly externalCaCertSecret: ReadonlyArray<{ readonly name: string; readonly type: string }> };
    readonly buckets: ReadonlyArray<{ readonly name: string }>;
    readonly users: ReadonlyArray<{ readonly name: string }>;
    readonly env: readonly TenantEnv[];
    readonly features: { readonly bucketDNS: boolean; readonly enableSFTP: boolean };
    readonly exposeServices: { readonly minio: boolean; readonly console: boolean };
    readonly logging: { readonly json: boolean };
  };
  readonly ingress: { readonly api: { readonly enabled: boolean }; readonly console: { readonly enabled: boolean } };
}

/** An image as the MinIO charts take it: they write `repository:(digest or tag)`, so a locked image is repository `…@sha256` with the digest's hex. */
export interface ChartImage {
  readonly repository: string;
  readonly tag: string;
  readonly digest?: string;
  readonly pullPolicy: string;
}

function chartImage(image: ImageSpec): ChartImage {
  const repository = `${image.registry}/${image.repository}`;
  if (image.digest) return { repository: `${repository}@sha256`, tag: image.tag, digest: image.digest.slice('sha256:'.length), pullPolicy: 'IfNotPresent' };
  return { repository, tag: image.tag, pullPolicy: 'IfNotPresent' };
}

/** The operator chart's values: STS off (nothing here uses it), replicas per profile, images declared by the component. */
export function operatorValues(i: { operator: ImageSpec; sidecar: ImageSpec; replicas: number }): MinioOperatorValues {
  return {
    operator: {
      // STS (AssumeRoleWithWebIdentity for pods) is not used: clients authenticate with access keys from OpenBao.
      env: [{ name: 'OPERATOR_STS_ENABLED', value: 'off' }],
      image: chartImage(i.operator),
      sidecarImage: chartImage(i.sidecar),
      replicaCount: i.replicas,
      resources: { requests: { cpu: '200m', memory: '256Mi', 'ephemeral-storage': '500Mi' }, limits: { cpu: '500m', memory: '512Mi', 'ephemeral-storage': '500Mi' } },
    },
  };
}

/** The tenant chart's values: TLS from cert-manager, SSE-S3 on every object under the KMS key, the platform's buckets. */
export function tenantValues(i: { server: ImageSpec; settings: ObjectStoreMinio; highAvailability: boolean; users: readonly string[] }): MinioTenantValues {
  const s = i.settings;
  const resources = { cpu: s.cpu, memory: s.memory };
  return {
    tenant: {
      name: TENANT_NAME,
      image: chartImage(i.server),
      // The root credentials come from an ExternalSecret (generated once); the chart's sample credentials are blanked.
      configSecret: { name: TENANT_SECRETS.config, existingSecret: true, accessKey: '', secretKey: '' },
      pools: [
        {
          servers: s.servers,
          name: 'pool-0',
          volumesPerServer: s.volumesPerServer,
          size: s.volumeSize,
          ...(s.storageClass ? { storageClassName: s.storageClass } : {}),
          resources: { requests: resources, limits: resources },
          // Our pools list replaces the chart's, defaults included: the hardened contexts are written out (the chart's values, plus seccomp on the pod).
          securityContext: { runAsUser: MINIO_UID, runAsGroup: MINIO_UID, fsGroup: MINIO_UID, fsGroupChangePolicy: 'OnRootMismatch', runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containerSecurityContext: {
            runAsUser: MINIO_UID,
            runAsGroup: MINIO_UID,
            runAsNonRoot: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
            seccompProfile: { type: 'RuntimeDefault' },
          },
          ...(i.highAvailability && s.servers > 1
            ? {
                affinity: {
                  podAntiAffinity: {
                    preferredDuringSchedulingIgnoredDuringExecution: [
                      { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { [TENANT_LABEL]: TENANT_NAME } } } },
                    ],
                  },
                },
              }
            : {}),
        },
      ],
      certificate: {
        requestAutoCert: false,
        externalCertSecret: [{ name: TENANT_SECRETS.tls, type: 'cert-manager.io/v1' }],
        externalCaCertSecret: [],
      },
      buckets: [OBJECT_STORE.buckets.models, OBJECT_STORE.buckets.backups, OBJECT_STORE.buckets.logs, OBJECT_STORE.buckets.traces].map((name) => ({ name })),
      users: i.users.map((name) => ({ name })),
      env: [
        { name: KMS_SECRET_KEY, valueFrom: { secretKeyRef: { name: TENANT_SECRETS.kms, key: KMS_SECRET_KEY } } },
        // Every object written without SSE-C is encrypted with SSE-S3 under the KMS key.
        { name: 'MINIO_KMS_AUTO_ENCRYPTION', value: 'on' },
        { name: 'MINIO_BROWSER', value: 'off' },
      ],
      features: { bucketDNS: false, enableSFTP: false },
      exposeServices: { minio: false, console: false },
      logging: { json: true },
    },
    ingress: { api: { enabled: false }, console: { enabled: false } },
  };
}
