/**
 * A PostgreSQL database of a component, run by the CloudNativePG operator
 * (component `postgres`) in the component's own namespace, so the Secret
 * the operator writes is where the component's pods can read it. Used by
 * the components that need a database (Keycloak, the control plane): the
 * need is declared by the component that has it.
 *
 * TLS: the server certificate comes from cert-manager (PLATFORM_ISSUER);
 * the operator creates the client CA and replication certificates and the
 * application user's credentials (Secret `<name>-app`). The profile's
 * postgres settings give every cluster its instance resources, storage
 * class, image and backups; the owner's claims (SC-8, IA-5, AC-6, AU-2,
 * CP-10, CP-9) cite the Cluster's own settings.
 */
import { CNPG_INSTANCE_METRICS, postgresClusterAlerts } from './alerts.js';
import { ApiObject } from 'cdk8s';
import { addCertificate } from '../../kit/certificates.js';
import type { Component } from '../../kit/component.js';
import { imageRef, type ImagePin, type ImageSpec } from '../../kit/image.js';
import type { PodGroup } from '../../kit/network.js';
import type { Profile } from '../../../profiles/profile.generated.js';
import { POSTGRES_IMAGE } from './catalog.js';
import { claimCluster, declareClusterCrypto } from './cluster-claims.js';
import { resolveBackup } from './backup-target.js';
import { addExternalSecret } from '../../kit/external-secrets.js';
import { BACKUP_SECRET_KEYS, CLUSTER_LABEL, clusterSpec, INSTANCE_METRICS_PORT, INSTANCE_STATUS_PORT, POSTGRES_PORT, scheduledBackupSpec } from './cluster-spec.js';

export { POSTGRES_IMAGE } from './catalog.js';
export { POSTGRES_PORT } from './cluster-spec.js';

/** Keys of the application Secret the operator writes (`<cluster>-app`). */
export const APP_SECRET_KEYS = ['username', 'password', 'host', 'port', 'dbname', 'uri', 'jdbc-uri'] as const;

/** Props of a database cluster. */
export interface PostgresClusterProps {
  /** Name of the Cluster; its Services are `<name>-rw` (primary), `<name>-ro` and `<name>-r`. */
  readonly name: string;
  /** Application database. */
  readonly database: string;
  /** Its owner (the application user). */
  readonly owner: string;
  /** PostgreSQL instances: 1 on dev and edge, 3 on cluster. */
  readonly instances: number;
  /** Storage per instance (Kubernetes quantity). */
  readonly storage: string;
  /** Extensions created in the application database at bootstrap. */
  readonly extensions?: ReadonlyArray<'vector'>;
  /** What the database holds, in one line. */
  readonly purpose: string;
  /**
   * CPU and memory of each instance (request and limit alike).
   * @default - the profile's `components.postgres.instance`
   */
  readonly resources?: { readonly cpu: string; readonly memory: string };
}

/** A database cluster as its owner uses it. */
export interface PostgresCluster {
  readonly cluster: ApiObject;
  /** The cluster's pods: declare it as a peer on port `postgres`. */
  readonly pods: PodGroup;
  /** Secret with the application user's credentials and `uri` (`postgres://…`). */
  readonly appSecret: string;
  /** Read-write Service (the primary). */
  readonly service: string;
  readonly port: number;
  /** The ScheduledBackup of its base backups, when the profile turns backups on. */
  readonly scheduledBackup?: ApiObject;
}

/**
 * The database image of the profile: its `components.postgres.image`, or
 * POSTGRES_IMAGE. Owners declare it with `this.addImage(postgresImage(this.profile))`.
 */
export function postgresImage(profile: Profile): ImagePin {
  return profile.components.postgres.image ?? POSTGRES_IMAGE;
}

const sameImage = (a: ImagePin, b: ImagePin) => a.registry === b.registry && a.repository === b.repository && a.tag === b.tag;

/**
 * Adds a CloudNativePG Cluster to `component`'s namespace with TLS from
 * cert-manager, declares its pods, the Secrets it produces and consumes,
 * its metrics endpoint, and the owner's claims on its settings. `image` is
 * the component's `addImage` of the database image; when the profile names
 * another one, that one is used (the postgres component declares it).
 */
export function addPostgresCluster(component: Component, image: ImageSpec, props: PostgresClusterProps): PostgresCluster {
  if (!/^[a-z]([-a-z0-9]{0,48}[a-z0-9])?$/.test(props.name)) throw new Error(`${component.node.path}: PostgreSQL cluster name "${props.name}" must be a DNS label of at most 50 characters`);
  if (!Number.isInteger(props.instances) || props.instances < 1) throw new Error(`${component.node.path}: PostgreSQL cluster ${props.name} needs a whole number of instances ≥ 1, got ${props.instances}`);
  const ns = component.info.namespace;
  const settings = component.profile.components.postgres;
  const chosen = postgresImage(component.profile);
  const dbImage = sameImage(chosen, image) ? image : component.platform.resolveImage(chosen);
  const backup = resolveBackup(component.profile);

  const names = [`${props.name}-rw`, `${props.name}-ro`, `${props.name}-r`].flatMap((s) => [s, `${s}.${ns}`, `${s}.${ns}.svc`, `${s}.${ns}.svc.cluster.local`]);
  const tlsSecret = `${props.name}-server-tls`;
  addCertificate(component, { name: tlsSecret, dnsNames: names, purpose: `Server certificate of the ${props.name} PostgreSQL cluster.` });
  const cluster = new ApiObject(component, `PostgresCluster-${props.name}`, {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Cluster',
    metadata: { name: props.name, namespace: ns },
    spec: clusterSpec({
      name: props.name,
      namespace: ns,
      database: props.database,
      owner: props.owner,
      instances: props.instances,
      storage: props.storage,
      extensions: props.extensions ?? [],
      purpose: props.purpose,
      imageName: imageRef(dbImage),
      tlsSecret,
      resources: props.resources ?? settings.instance,
      settings,
      ...(backup ? { backup } : {}),
    }),
  });
  component.consumesSecret({ name: tlsSecret, keys: ['tls.crt', 'tls.key', 'ca.crt'], purpose: `TLS of the ${props.name} PostgreSQL cluster (Cluster spec.certificates).` });
  const appSecret = `${props.name}-app`;
  const by = `CloudNativePG operator (Cluster ${ns}/${props.name})`;
  component.producesSecret({ name: appSecret, keys: [...APP_SECRET_KEYS], kind: 'operator', by, purpose: `Credentials and URI of the ${props.owner} user of database ${props.database}.` });
  component.producesSecret({ name: `${props.name}-ca`, keys: ['ca.crt', 'ca.key'], kind: 'operator', by, purpose: `Client CA of the ${props.name} PostgreSQL cluster (signs the replication certificate).` });
  component.producesSecret({ name: `${props.name}-replication`, keys: ['tls.crt', 'tls.key'], kind: 'operator', by, purpose: `Client certificate of the streaming_replica user of the ${props.name} PostgreSQL cluster.` });

  const pods = component.addPods({
    name: props.name,
    labels: { [CLUSTER_LABEL]: props.name },
    ports: { postgres: { port: POSTGRES_PORT }, status: { port: INSTANCE_STATUS_PORT }, metrics: { port: INSTANCE_METRICS_PORT } },
    serviceAccount: props.name,
  });
  if (props.instances > 1) pods.connectsTo({ component: component.node.id, pods: props.name, port: 'postgres' }, 'streaming replication between instances');
  pods.connectsTo({ entity: 'kube-apiserver', ports: [{ port: 6443 }] }, 'the instance manager reads its Cluster and writes its status');
  // The exporter serves over TLS with the server certificate (spec.monitoring.tls).
  component.addMetrics({ pods, port: 'metrics', scheme: 'https', provides: CNPG_INSTANCE_METRICS });
  for (const rule of postgresClusterAlerts(props.name, ns, { replicas: props.instances > 1, backups: settings.backup.enabled })) component.addAlert(rule);
  // The operator (component postgres) declares its own connection to the status port of every cluster's pods.
  component.node.addValidation({
    validate: () => (component.platform.component('postgres') ? [] : [`PostgreSQL cluster ${ns}/${props.name} of component "${component.node.id}" needs component "postgres" (the CloudNativePG operator), which this platform does not install.`]),
  });

  let scheduledBackup: ApiObject | undefined;
  if (backup) {
    scheduledBackup = new ApiObject(component, `PostgresScheduledBackup-${props.name}`, {
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'ScheduledBackup',
      metadata: { name: props.name, namespace: ns },
      spec: scheduledBackupSpec(backup, props.name),
    });
    const keys = [BACKUP_SECRET_KEYS.accessKeyId, BACKUP_SECRET_KEYS.secretAccessKey];
    const purpose = `Access key pair for the backup bucket ${backup.bucket} at ${backup.endpointURL}.`;
    // One Secret per namespace serves every cluster there (a component with two clusters declares it once).
    if (!component.secretsProduced.some((s) => s.namespace === ns && s.name === backup.credentialsSecret)) {
      if (backup.credentials.source === 'openbao') {
        const path = backup.credentials.path;
        addExternalSecret(component, { name: backup.credentialsSecret, purpose: `${purpose} Read from OpenBao.`, from: { openbao: keys.map((k) => ({ secretKey: k, path, property: k })) } });
      } else {
        component.producesSecret({ name: backup.credentialsSecret, keys, kind: 'supplied-at-install', by: 'the site, before install (postgres backup credentials)', purpose });
      }
    }
    component.consumesSecret({ name: backup.credentialsSecret, keys, purpose: `Object store credentials of the ${props.name} PostgreSQL cluster's backups (Cluster spec.backup.barmanObjectStore.s3Credentials).` });
    pods.connectsTo(backup.peer, `barman-cloud archives WAL and base backups to ${backup.store}`);
  }

  const claimed = { name: props.name, namespace: ns, instances: props.instances, cluster, appSecret, tlsSecret, ...(scheduledBackup && backup ? { backup: { object: scheduledBackup, settings: backup } } : {}) };
  claimCluster(component, claimed);
  declareClusterCrypto(component, claimed);
  return { cluster, pods, appSecret, service: `${props.name}-rw`, port: POSTGRES_PORT, ...(scheduledBackup ? { scheduledBackup } : {}) };
}
