/**
 * A PostgreSQL database of a component, run by the CloudNativePG operator
 * (component `postgres`) in the component's own namespace, so the Secret
 * the operator writes is where the component's pods can read it. Used by
 * the components that need a database (Keycloak, the control plane): the
 * need is declared by the component that has it.
 *
 * TLS: the server certificate comes from cert-manager (PLATFORM_ISSUER);
 * the operator creates the client CA and replication certificates and the
 * application user's credentials (Secret `<name>-app`).
 */
import { ApiObject } from 'cdk8s';
import { addCertificate } from '../../kit/certificates.js';
import type { Component } from '../../kit/component.js';
import type { ImageSpec } from '../../kit/image.js';
import type { PodGroup } from '../../kit/network.js';

/** TCP port of PostgreSQL. */
export const POSTGRES_PORT = 5432;

/** The database image clusters run: CloudNativePG's PostgreSQL 16 image, the tag its cluster chart 0.8.1 defaults to. */
export const POSTGRES_IMAGE = {
  registry: 'ghcr.io',
  repository: 'cloudnative-pg/postgresql',
  tag: '16',
  license: 'PostgreSQL',
  source: 'cloudnative-pg cluster chart 0.8.1 (templates/_helpers.tpl: ghcr.io/cloudnative-pg/postgresql:<version.postgresql>, values.yaml version.postgresql "16")',
} as const;

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
}

/**
 * Adds a CloudNativePG Cluster to `component`'s namespace with TLS from
 * cert-manager, declares its pods, the Secrets it produces and the image
 * it runs (through `image`, the component's `addImage` of POSTGRES_IMAGE).
 */
export function addPostgresCluster(component: Component, image: ImageSpec, props: PostgresClusterProps): PostgresCluster {
  const ns = component.info.namespace;
  const names = [`${props.name}-rw`, `${props.name}-ro`, `${props.name}-r`].flatMap((s) => [s, `${s}.${ns}`, `${s}.${ns}.svc`, `${s}.${ns}.svc.cluster.local`]);
  const tlsSecret = `${props.name}-server-tls`;
  addCertificate(component, { name: tlsSecret, dnsNames: names, purpose: `Server certificate of the ${props.name} PostgreSQL cluster.` });
  const cluster = new ApiObject(component, `PostgresCluster-${props.name}`, {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Cluster',
    metadata: { name: props.name, namespace: ns },
    spec: {
      description: props.purpose,
      instances: props.instances,
      imageName: `${image.registry}/${image.repository}${image.digest ? `@${image.digest}` : `:${image.tag}`}`,
      enableSuperuserAccess: false,
      storage: { size: props.storage },
      bootstrap: {
        initdb: {
          database: props.database,
          owner: props.owner,
          dataChecksums: true,
          ...(props.extensions && props.extensions.length > 0 ? { postInitApplicationSQL: props.extensions.map((e) => `CREATE EXTENSION IF NOT EXISTS ${e};`) } : {}),
        },
      },
      postgresql: { parameters: { ssl_min_protocol_version: 'TLSv1.3', password_encryption: 'scram-sha-256' } },
      certificates: { serverTLSSecret: tlsSecret, serverCASecret: tlsSecret },
      ...(props.instances > 1 ? { minSyncReplicas: 1, maxSyncReplicas: props.instances - 1 } : {}),
    },
  });
  component.consumesSecret({ name: tlsSecret, keys: ['tls.crt', 'tls.key', 'ca.crt'], purpose: `TLS of the ${props.name} PostgreSQL cluster (Cluster spec.certificates).` });
  const appSecret = `${props.name}-app`;
  component.producesSecret({ name: appSecret, keys: [...APP_SECRET_KEYS], kind: 'operator', by: `CloudNativePG operator (Cluster ${ns}/${props.name})`, purpose: `Credentials and URI of the ${props.owner} user of database ${props.database}.` });
  const pods = component.addPods({
    name: props.name,
    labels: { 'cnpg.io/cluster': props.name },
    ports: { postgres: { port: POSTGRES_PORT } },
    serviceAccount: props.name,
  });
  // Instances replicate from each other, and the operator's instance manager talks to each one.
  pods.connectsTo({ component: component.node.id, pods: props.name, port: 'postgres' }, 'streaming replication between instances');
  pods.connectsTo({ entity: 'kube-apiserver', ports: [{ port: 6443 }] }, 'the instance manager reads its Cluster and writes its status');
  return { cluster, pods, appSecret, service: `${props.name}-rw`, port: POSTGRES_PORT };
}
