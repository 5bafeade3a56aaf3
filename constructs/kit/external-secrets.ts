/**
 * Secrets that workloads consume, made by the External Secrets Operator:
 * either read from OpenBao's KV store through the platform's
 * ClusterSecretStore, or generated once in the cluster by an ESO generator.
 * The output never carries a secret value; the ExternalSecret is the
 * Secret's producer.
 *
 * The objects follow the CRDs of External Secrets 2.9.0 (ExternalSecret
 * `external-secrets.io/v1`, Password `generators.external-secrets.io/v1alpha1`),
 * whose schemas the synth validates every object against.
 */
import { ApiObject } from 'cdk8s';
import { SovraError } from '../../core/errors.js';
import type { Component } from './component.js';
import { SECRET_STORE } from './shared-names.js';

/** A key of the Secret read from OpenBao. */
export interface OpenBaoKey {
  /** Key in the Kubernetes Secret (letters, digits, `-`, `_`, `.`). */
  readonly secretKey: string;
  /**
   * KV path in OpenBao, relative to the platform's KV v2 mount
   * (`OPENBAO_PATHS.kv`), e.g. `control-plane/audit-key`. A path that starts
   * with the mount (`sovra/control-plane/audit-key`) reads the same entry:
   * ESO strips the mount prefix.
   */
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
  /**
   * `CreateOrMerge` for a Secret that software the platform installs also
   * creates (empty) and mounts, such as the Tekton Chains `signing-secrets`:
   * ESO writes its keys into the existing Secret instead of refusing one it
   * does not own, and creates it if it is not there yet. Only with values
   * from OpenBao.
   * @default 'Owner'
   */
  readonly creationPolicy?: 'Owner' | 'CreateOrMerge';
}

/** Shortest generated password: 16 characters of letters and digits (about 95 bits). */
export const MIN_GENERATED_LENGTH = 16;

// Patterns of the 2.9.0 CRD schemas: object names (DNS-1123 subdomain) and Secret keys.
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/** A mistake in the props, named with the component, the ExternalSecret and the fix. */
function fail(component: Component, name: string, message: string): never {
  throw new SovraError('bad-input', `${component.node.path}: ExternalSecret "${name}": ${message}`);
}

/** Checks the Secret keys: well-formed, unique, at least one. */
function checkKeys(component: Component, name: string, keys: readonly string[]): void {
  if (keys.length === 0) fail(component, name, 'no keys; list at least one.');
  const seen = new Set<string>();
  for (const k of keys) {
    if (!SECRET_KEY.test(k)) fail(component, name, `Secret key "${k}" may only hold letters, digits, "-", "_" and ".".`);
    if (seen.has(k)) fail(component, name, `Secret key "${k}" is listed twice.`);
    seen.add(k);
  }
}

/**
 * Name of the Password generator of `key`: `<name>-<key>` in lower case with
 * anything but letters, digits and dashes turned into dashes, so that keys
 * such as `SYS_PASSWORD` still give a valid object name.
 */
export function generatorName(name: string, key: string): string {
  return `${name}-${key}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
}

/** Adds an ExternalSecret (and, for generated values, its Password generators) and declares the Secret it produces. */
export function addExternalSecret(component: Component, props: ExternalSecretProps): ApiObject {
  const namespace = props.namespace ?? component.info.namespace;
  if (props.name.length > 253 || !DNS_SUBDOMAIN.test(props.name)) fail(component, props.name, 'the name must be a DNS-1123 subdomain (lower-case letters, digits, "-" and ".").');
  let spec: Record<string, unknown>;
  let keys: string[];
  if ('openbao' in props.from) {
    keys = props.from.openbao.map((k) => k.secretKey);
    checkKeys(component, props.name, keys);
    for (const k of props.from.openbao) {
      if (k.path === '' || k.path.startsWith('/') || k.path.endsWith('/') || k.path.includes('//')) fail(component, props.name, `OpenBao path "${k.path}" of key "${k.secretKey}" must be a KV path such as "control-plane/audit-key".`);
      if (k.property === '') fail(component, props.name, `key "${k.secretKey}" names no property of the KV entry.`);
    }
    spec = {
      refreshInterval: props.refreshInterval ?? '1h',
      secretStoreRef: { kind: 'ClusterSecretStore', name: SECRET_STORE },
      target: { name: props.name, creationPolicy: props.creationPolicy ?? 'Owner', deletionPolicy: 'Retain' },
      data: props.from.openbao.map((k) => ({ secretKey: k.secretKey, remoteRef: { key: k.path, property: k.property } })),
    };
  } else {
    if (props.creationPolicy && props.creationPolicy !== 'Owner') fail(component, props.name, `creationPolicy ${props.creationPolicy} is for values read from OpenBao; a generated Secret is owned by its ExternalSecret.`);
    const { length } = props.from.generated;
    keys = [...props.from.generated.keys];
    checkKeys(component, props.name, keys);
    if (!Number.isInteger(length) || length < MIN_GENERATED_LENGTH || length > 1024) {
      fail(component, props.name, `generated length ${length} must be a whole number from ${MIN_GENERATED_LENGTH} to 1024.`);
    }
    const names = new Map<string, string>();
    for (const key of keys) {
      const g = generatorName(props.name, key);
      const other = names.get(g);
      if (other !== undefined) fail(component, props.name, `keys "${other}" and "${key}" would share the generator name "${g}"; rename one.`);
      if (g.length > 253 || !DNS_SUBDOMAIN.test(g)) fail(component, props.name, `key "${key}" gives the generator name "${g}", which is not a valid object name; rename the key.`);
      names.set(g, key);
    }
    // One generator per key: a Password generator yields one value under the key `password`, renamed here.
    spec = {
      refreshPolicy: 'CreatedOnce',
      target: { name: props.name, creationPolicy: 'Owner', deletionPolicy: 'Retain' },
      dataFrom: keys.map((key) => {
        const gen = new ApiObject(component, `Password-${props.name}-${key}`, {
          apiVersion: 'generators.external-secrets.io/v1alpha1',
          kind: 'Password',
          metadata: { name: generatorName(props.name, key), namespace },
          // Letters and digits only: a generated value goes into URLs, env files and configs without quoting.
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
