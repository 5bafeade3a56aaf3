/**
 * An S3 client of the platform's object store (Loki, Tempo): the Secret with
 * its access key pair in its namespace (an ExternalSecret from OpenBao, or
 * one the site supplies before install), read by its pods, which reach the
 * store; and where its chart values point.
 */
import type { Component } from '../../kit/component.js';
import { addExternalSecret } from '../../kit/external-secrets.js';
import type { PodGroup } from '../../kit/network.js';
import { OPENBAO_PATHS } from '../../kit/shared-names.js';
import { objectStoreEndpoint, S3_CREDENTIAL_KEYS } from './endpoint.js';

/** Where an S3 client stores, as its chart values take it. */
export interface S3Target {
  readonly type: 's3';
  /** `host:port` of the S3 endpoint (HTTPS). */
  readonly endpoint: string;
  readonly bucket: string;
  /** Secret with the key pair (keys ACCESS_KEY_ID and ACCESS_SECRET_KEY) in the client's namespace. */
  readonly credentialsSecret: string;
  readonly keys: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Whether the endpoint's certificate is the platform CA's (then only the trust bundle is trusted). */
  readonly platformCa: boolean;
}

/** How a client names itself in what it declares. */
export interface S3ClientNames {
  /** The client's user and bucket on the store. */
  readonly client: 'logs' | 'traces';
  /** The Secret holding its key pair. */
  readonly secret: string;
  /** `Loki`, `Tempo`. */
  readonly name: string;
  /** Its pods, as the Secret's reader: `the Loki servers`. */
  readonly pods: string;
  /** What it keeps there: `chunks and index`. */
  readonly stores: string;
}

/** Declares `component`'s credentials Secret, that `pods` read it and reach the store; returns where they store. */
export function connectS3Client(component: Component, pods: PodGroup, n: S3ClientNames): S3Target {
  const os = objectStoreEndpoint(component.profile);
  const bucket = os.buckets[n.client];
  const creds = os.credentials(n.client);
  const keys = [S3_CREDENTIAL_KEYS.accessKeyId, S3_CREDENTIAL_KEYS.secretAccessKey];
  const purpose = `Access key pair of ${n.name}'s user on the object store (bucket ${bucket}).`;
  if (creds.source === 'openbao') {
    addExternalSecret(component, { name: n.secret, purpose: `${purpose} Read from OpenBao at ${OPENBAO_PATHS.kv}/${creds.path}.`, from: { openbao: keys.map((k) => ({ secretKey: k, path: creds.path, property: k })) } });
  } else {
    component.producesSecret({ name: n.secret, keys, kind: 'supplied-at-install', by: `the site, before install (object store credentials of ${n.name})`, purpose });
  }
  component.consumesSecret({ name: n.secret, keys, purpose: `${purpose} (environment of ${n.pods}).` });
  pods.connectsTo(os.peer, `${n.name} stores ${n.stores} in bucket ${bucket} of ${os.mode === 'minio' ? "the platform's object store" : os.url}`);
  const u = new URL(os.url);
  return {
    type: 's3',
    endpoint: `${u.hostname}:${u.port || '443'}`,
    bucket,
    credentialsSecret: n.secret,
    keys: { accessKeyId: S3_CREDENTIAL_KEYS.accessKeyId, secretAccessKey: S3_CREDENTIAL_KEYS.secretAccessKey },
    platformCa: os.platformCa,
  };
}
