/**
 * The platform's object store: the MinIO operator (chart operator 7.1.1) and
 * one Tenant (chart tenant 7.1.1), both in OBJECT_STORE.namespace (one
 * namespace, so the mesh and the derived policies cover the operator's calls
 * to the servers like any other peer), behind Service `minio` on 443. TLS from
 * cert-manager (PLATFORM_ISSUER), every object encrypted at rest (SSE-S3,
 * auto-encryption) under MinIO's KMS key, which the site keeps in OpenBao
 * and External Secrets brings in; buckets for model weights, PostgreSQL
 * backups, logs and traces, and a user per client. Installed only when the
 * profile's `object-store.mode` is `minio`; with `external` the site's store
 * serves the same clients (endpoint.ts) and nothing of MinIO is written.
 *
 * MinIO is AGPL-3.0: the license policy flags its images and charts, and a
 * profile that installs it carries a waiver with the reason (profiles/builtin).
 */
import type { Construct } from 'constructs';
import { onChartValues, onObject } from '../../kit/claims.js';
import { Component, directoryOf, type ComponentProps } from '../../kit/component.js';
import { addCertificate } from '../../kit/certificates.js';
import { addExternalSecret } from '../../kit/external-secrets.js';
import type { PodGroup } from '../../kit/network.js';
import { OBJECT_STORE, OPENBAO_PATHS } from '../../kit/shared-names.js';
import type { ObjectStoreMinio } from '../../../profiles/profile.generated.js';
import { MINIO_CHARTS, MINIO_IMAGES } from './catalog.js';
import { MINIO_SERVER_PODS, OBJECT_STORE_USERS, objectStoreClients, S3_CREDENTIAL_KEYS, type ObjectStoreClient } from './endpoint.js';
import { addRootCredentials } from './root-credentials.js';
import { KMS_SECRET_KEY, OPERATOR_LABELS, operatorValues, TENANT_LABEL, TENANT_NAME, TENANT_SECRETS, tenantValues, type MinioOperatorValues, type MinioTenantValues } from './values.js';

/** Release of the operator chart; part of object names and Terraform addresses. */
export const OPERATOR_RELEASE = 'minio-operator';
/** Release of the tenant chart. */
export const TENANT_RELEASE = 'object-store';
/** OpenBao KV path (relative to the KV mount) of MinIO's KMS key. */
export const KMS_KEY_OPENBAO_PATH = 'object-store/kms-key';
/** Name of the KMS key inside `MINIO_KMS_SECRET_KEY` (`<name>:<base64 key>`), as the runbook writes it. */
export const KMS_KEY_NAME = 'sovra-object-store';

/** Whether `profile` installs the MinIO object store. */
export function installsMinio(profile: ComponentProps['profile']): boolean {
  return profile.components['object-store'].mode === 'minio';
}

/** The data layer's object store. */
export class ObjectStore extends Component {
  /** The operator's pods. */
  readonly operator: PodGroup;
  /** The MinIO servers of the Tenant: clients declare them as their peer on port `s3`. */
  readonly servers: PodGroup;
  /** The tenant chart as declared. */
  readonly tenantChart;

  constructor(scope: Construct, id: string, props: ComponentProps) {
    super(scope, id, props, {
      title: 'Object store (MinIO)',
      description:
        'S3-compatible object storage of the platform: the MinIO operator and one Tenant with TLS from cert-manager, every object encrypted at rest under a KMS key kept in OpenBao, and buckets for model weights, PostgreSQL backups, logs and traces.',
      layer: 'data',
      namespace: OBJECT_STORE.namespace,
      version: MINIO_IMAGES.server.tag,
      dependsOn: ['cilium', 'cert-manager', 'external-secrets'].filter((c) => directoryOf(scope).installs(c)),
    });
    const p = props.profile;
    const settings = p.components['object-store'] as ObjectStoreMinio;
    if (settings.mode !== 'minio') throw new Error(`${this.node.path}: the object-store component is installed only when components.object-store.mode is minio`);
    if (settings.servers > 1 && settings.servers < 4) {
      throw new Error(`${this.node.path}: components.object-store.servers ${settings.servers}: MinIO runs 1 server or a distributed pool of 4 and more`);
    }
    const operatorImage = this.addImage(MINIO_IMAGES.operator);
    const sidecar = this.addImage(MINIO_IMAGES.sidecar);
    const server = this.addImage(MINIO_IMAGES.server);

    this.addChart<MinioOperatorValues>({ release: OPERATOR_RELEASE, namespace: OBJECT_STORE.namespace, values: operatorValues({ operator: operatorImage, sidecar, replicas: p.highAvailability ? 2 : 1 }), ...MINIO_CHARTS.operator });
    const clients = objectStoreClients(p);
    this.tenantChart = this.addChart<MinioTenantValues>({
      release: TENANT_RELEASE,
      namespace: OBJECT_STORE.namespace,
      values: tenantValues({ server, settings, highAvailability: p.highAvailability, users: clients.map((c) => OBJECT_STORE_USERS[c].userSecret) }),
      ...MINIO_CHARTS.tenant,
    });

    this.operator = this.addPods({ name: 'operator', labels: OPERATOR_LABELS(OPERATOR_RELEASE), serviceAccount: 'minio-operator' });
    this.operator.connectsTo({ entity: 'kube-apiserver', ports: [{ port: 6443 }] }, 'the operator watches Tenants and writes their StatefulSets, Services and Secrets');
    this.servers = this.addPods({
      name: MINIO_SERVER_PODS.name,
      labels: { [TENANT_LABEL]: TENANT_NAME },
      ports: { [MINIO_SERVER_PODS.port]: { port: MINIO_SERVER_PODS.containerPort } },
      serviceAccount: `${TENANT_NAME}-sa`,
    });
    this.operator.connectsTo({ component: id, pods: MINIO_SERVER_PODS.name, port: MINIO_SERVER_PODS.port }, 'the operator checks the servers and creates buckets and users through the admin API');
    // The operator's sidecar in every server pod reads the Tenant's configuration from the API server.
    this.servers.connectsTo({ entity: 'kube-apiserver', ports: [{ port: 6443 }] }, "the operator's sidecar in each server pod reads the Tenant's configuration Secret");
    if (settings.servers > 1) this.servers.connectsTo({ component: id, pods: MINIO_SERVER_PODS.name, port: MINIO_SERVER_PODS.port }, 'MinIO servers of a distributed pool call each other on the S3 port');

    this.declareSecrets(clients);
    this.declareClaims(settings);
  }

  /** The Tenant's Secrets: certificate, root credentials, KMS key and a user per client, each with its producer. */
  private declareSecrets(clients: readonly ObjectStoreClient[]): void {
    const ns = OBJECT_STORE.namespace;
    const hl = `${TENANT_NAME}-hl`;
    addCertificate(this, {
      name: TENANT_SECRETS.tls,
      dnsNames: [OBJECT_STORE.service, `${OBJECT_STORE.service}.${ns}`, `${OBJECT_STORE.service}.${ns}.svc`, `${OBJECT_STORE.service}.${ns}.svc.cluster.local`, `*.${hl}.${ns}.svc`, `*.${hl}.${ns}.svc.cluster.local`],
      usages: ['server auth'],
      purpose: 'Server certificate of the MinIO S3 API (Service minio and every server of the pool).',
    });
    this.consumesSecret({ name: TENANT_SECRETS.tls, keys: ['tls.crt', 'tls.key', 'ca.crt'], purpose: 'TLS of the S3 API (Tenant externalCertSecret).' });
    addRootCredentials(this, TENANT_SECRETS.config);
    this.consumesSecret({ name: TENANT_SECRETS.config, keys: ['config.env'], purpose: 'Root user and password of the Tenant (Tenant configuration).' });
    addExternalSecret(this, {
      name: TENANT_SECRETS.kms,
      purpose: "MinIO's KMS key (MINIO_KMS_SECRET_KEY, a named 256-bit key), read from OpenBao.",
      from: { openbao: [{ secretKey: KMS_SECRET_KEY, path: KMS_KEY_OPENBAO_PATH, property: KMS_SECRET_KEY }] },
    });
    this.consumesSecret({ name: TENANT_SECRETS.kms, keys: [KMS_SECRET_KEY], purpose: 'KMS key that protects every object key (Tenant env MINIO_KMS_SECRET_KEY).' });
    const who: Record<ObjectStoreClient, string> = { 'postgres-backup': 'PostgreSQL backups write', logs: 'Loki writes its chunks and index', traces: 'Tempo writes its trace blocks' };
    for (const client of clients) {
      const user = OBJECT_STORE_USERS[client];
      addExternalSecret(this, {
        name: user.userSecret,
        purpose: `Access key pair of the user ${who[client]} as, read from OpenBao (the same pair the client's namespace reads).`,
        from: {
          openbao: [
            { secretKey: 'CONSOLE_ACCESS_KEY', path: user.openbaoPath, property: S3_CREDENTIAL_KEYS.accessKeyId },
            { secretKey: 'CONSOLE_SECRET_KEY', path: user.openbaoPath, property: S3_CREDENTIAL_KEYS.secretAccessKey },
          ],
        },
      });
      this.consumesSecret({ name: user.userSecret, keys: ['CONSOLE_ACCESS_KEY', 'CONSOLE_SECRET_KEY'], purpose: `The user ${who[client]} as, which the operator creates in the Tenant (Tenant users).` });
    }
    this.customerResponsibility({
      control: 'sc-12',
      statement: `The site generates MinIO's KMS key (a name and 32 random bytes, written as "${KMS_KEY_NAME}:<base64>") and stores it in OpenBao at ${OPENBAO_PATHS.kv}/${KMS_KEY_OPENBAO_PATH} (property ${KMS_SECRET_KEY}); losing it makes every object unreadable, so it is escrowed with OpenBao's own backups.`,
      procedure: 'README.md#object-store',
    });
    const users = clients.map((c) => `${OPENBAO_PATHS.kv}/${OBJECT_STORE_USERS[c].openbaoPath} (bucket ${OBJECT_STORE.buckets[OBJECT_STORE_USERS[c].bucket]})`);
    this.customerResponsibility({
      control: 'ac-6',
      statement: `The site writes each client user's access key pair to OpenBao (${users.join(', ')}) and, after the operator has created the user, attaches to it a MinIO policy limited to its bucket (mc admin policy attach).`,
      procedure: 'README.md#object-store',
    });
  }

  /** SC-8, SC-28, SC-28(1), SC-13 and SC-7, each on the setting that implements it, and the CBOM entries. */
  private declareClaims(settings: ObjectStoreMinio): void {
    const r = TENANT_RELEASE;
    const env = (i: number) => `tenant.env[${i}]`;
    const kmsEnv = onChartValues(r, env(0), { equals: { name: KMS_SECRET_KEY, valueFrom: { secretKeyRef: { name: TENANT_SECRETS.kms, key: KMS_SECRET_KEY } } } });
    const autoEncryption = onChartValues(r, env(1), { equals: { name: 'MINIO_KMS_AUTO_ENCRYPTION', value: 'on' } });
    const tls = [
      onChartValues(r, 'tenant.certificate.requestAutoCert', { equals: false }),
      onChartValues(r, 'tenant.certificate.externalCertSecret[0]', { equals: { name: TENANT_SECRETS.tls, type: 'cert-manager.io/v1' } }),
    ];
    this.claim({
      control: 'sc-8',
      statement: `The S3 API of the object store is served over TLS only, with a server certificate from the platform's cert-manager issuer (Secret ${TENANT_SECRETS.tls}); the operator's self-signed certificates are off and no Service is exposed outside the cluster.`,
      evidence: [...tls, onChartValues(r, 'tenant.exposeServices', { equals: { minio: false, console: false } })],
    });
    this.claim({
      control: 'sc-28',
      statement: `Every object is encrypted at rest: MinIO's auto-encryption turns every write without a customer key into SSE-S3, each object under its own key sealed by the KMS key ${KMS_KEY_NAME}, which comes from OpenBao through an ExternalSecret and is never written in the output.`,
      evidence: [autoEncryption, kmsEnv],
    });
    this.claim({
      control: 'sc-28.1',
      statement: 'Objects at rest are protected cryptographically (SSE-S3 with AES-256-GCM object encryption, keys sealed by the KMS key) on every bucket, because auto-encryption is on for the whole Tenant.',
      evidence: [autoEncryption],
    });
    this.claim({
      control: 'sc-13',
      status: 'partial',
      statement: `The object store encrypts with AES-256-GCM (MinIO's DARE format) under a 256-bit KMS key; MinIO's Go cryptography is not a FIPS 140-validated module${this.profile.distribution.fips ? ', so on this FIPS profile the object store is outside the validated boundary' : ''}.`,
      evidence: [autoEncryption],
    });
    this.claim({
      control: 'sc-7',
      statement: 'Only the pods of components that declare the object store as their peer (and the operator) may reach the S3 port; the servers reach nothing but the API server and, in a distributed pool, each other.',
      evidence: [onObject(this.servers.networkPolicy, 'spec.policyTypes', { equals: ['Ingress', 'Egress'] })],
    });
    this.claim({
      control: 'ac-6',
      statement: 'The MinIO servers run as non-root UID 1000 without privilege escalation, with every Linux capability dropped and the RuntimeDefault seccomp profile.',
      evidence: [
        onChartValues(r, 'tenant.pools[0].containerSecurityContext.runAsNonRoot', { equals: true }),
        onChartValues(r, 'tenant.pools[0].containerSecurityContext.allowPrivilegeEscalation', { equals: false }),
        onChartValues(r, 'tenant.pools[0].containerSecurityContext.capabilities.drop', { equals: ['ALL'] }),
      ],
    });
    if (settings.servers * settings.volumesPerServer >= 4) {
      this.claim({
        control: 'cp-10',
        status: 'partial',
        statement: `Objects are erasure-coded over ${settings.servers * settings.volumesPerServer} volumes (${settings.servers} server${settings.servers > 1 ? 's' : ''} × ${settings.volumesPerServer}), so the store keeps serving and heals after the loss of a volume${settings.servers >= 4 ? ' or a server' : ''}.`,
        evidence: [onChartValues(r, 'tenant.pools[0].servers', { equals: settings.servers }), onChartValues(r, 'tenant.pools[0].volumesPerServer', { equals: settings.volumesPerServer })],
      });
    }
    const implementation = `MinIO ${MINIO_IMAGES.server.tag} (Go crypto)`;
    this.addCryptoAsset({ type: 'algorithm', name: 'AES-256-GCM', purpose: 'SSE-S3 encryption of every object at rest (DARE) and sealing of object keys by the KMS key.', configuredBy: autoEncryption, implementation, certificationLevel: ['none'] });
    this.addCryptoAsset({
      type: 'related-crypto-material',
      name: 'Object store KMS key',
      purpose: 'Named 256-bit key from which MinIO derives and seals the key of every object.',
      configuredBy: kmsEnv,
      material: { type: 'secret-key', algorithm: 'AES-256-GCM', size: 256, secret: { namespace: OBJECT_STORE.namespace, name: TENANT_SECRETS.kms, key: KMS_SECRET_KEY } },
      properties: { 'openbao-path': `${OPENBAO_PATHS.kv}/${KMS_KEY_OPENBAO_PATH}` },
    });
    // MinIO has no setting for the minimum TLS version: the protocol asset states none.
    this.addCryptoAsset({ type: 'protocol', name: 'TLS (MinIO S3 API)', purpose: 'Connections of clients to the S3 API and between servers.', configuredBy: tls[1]!, protocol: { type: 'tls' } });
  }
}
