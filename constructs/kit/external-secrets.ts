/**
 * Secrets that workloads consume, made by the External Secrets Operator:
 * either read from OpenBao's KV store through the platform's
 * ClusterSecretStore, or generated once in the cluster by an ESO generator.
 * The output never carries a secret value; the ExternalSecret is the
 * Secret's producer.
 */
import { ApiObject } from 'cdk8s';
import type { Component } from './component.js';
import { SECRET_STORE } from './shared-names.js';

/** A key of the Secret read from OpenBao. */
export interface OpenBaoKey {
  /** Key in the Kubernetes Secret. */
  readonly secretKey: string;
  /** KV path in OpenBao, e.g. `sovra/control-plane/audit-key`. */
  readonly path: string;
  /** Field of the KV entry. */
  readonly property: string;
}

/** Props of an ExternalSecret. */
export interface ExternalSecretProps {
  /** Name of the ExternalSecret and of the Secret it writes. */
  readonly name: string;
  /** @default - the component's */
  readonly namespace?: string;
  /** What it holds, in one line. */
  readonly purpose: string;
  /**
   * Keys read from OpenBao, or keys generated in the cluster (a password
   * each, made once and never rotated by ESO).
   */
  readonly from: { readonly openbao: readonly OpenBaoKey[] } | { readonly generated: { readonly keys: readonly string[]; readonly length: number } };
  /** How often values from OpenBao are read again. @default '1h' */
  readonly refreshInterval?: string;
}

/** Adds an ExternalSecret (and, for generated values, its Password generators) and declares the Secret it produces. */
export function addExternalSecret(component: Component, props: ExternalSecretProps): ApiObject {
  const namespace = props.namespace ?? component.info.namespace;
  let spec: Record<string, unknown>;
  let keys: string[];
  if ('openbao' in props.from) {
    keys = props.from.openbao.map((k) => k.secretKey);
    spec = {
      refreshInterval: props.refreshInterval ?? '1h',
      secretStoreRef: { kind: 'ClusterSecretStore', name: SECRET_STORE },
      target: { name: props.name, creationPolicy: 'Owner', deletionPolicy: 'Retain' },
      data: props.from.openbao.map((k) => ({ secretKey: k.secretKey, remoteRef: { key: k.path, property: k.property } })),
    };
  } else {
    const { length } = props.from.generated;
    keys = [...props.from.generated.keys];
    // One generator per key: a Password generator yields one value, under the key `password`, renamed here.
    spec = {
      refreshPolicy: 'CreatedOnce',
      target: { name: props.name, creationPolicy: 'Owner', deletionPolicy: 'Retain' },
      dataFrom: keys.map((key) => {
        const gen = new ApiObject(component, `Password-${props.name}-${key}`, {
          apiVersion: 'generators.external-secrets.io/v1alpha1',
          kind: 'Password',
          metadata: { name: `${props.name}-${key}`.replace(/[^a-z0-9-]/g, '-'), namespace },
          spec: { length, digits: Math.ceil(length / 4), symbols: 0, noUpper: false, allowRepeat: true },
        });
        return {
          sourceRef: { generatorRef: { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'Password', name: gen.name } },
          rewrite: [{ regexp: { source: '^password$', target: key } }],
        };
      }),
    };
  }
  const es = new ApiObject(component, `ExternalSecret-${props.name}`, { apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: props.name, namespace }, spec });
  component.producesSecret({ name: props.name, namespace, keys, kind: 'external-secret', by: `ExternalSecret ${namespace}/${props.name}`, purpose: props.purpose });
  return es;
}
