/**
 * A TLS certificate of a component, issued by cert-manager from the
 * platform issuer into a Secret: the Certificate object is the Secret's
 * producer, and its key algorithm is a CBOM asset checked against the
 * written object.
 */
import { ApiObject } from 'cdk8s';
import { onObject } from './claims.js';
import type { Component } from './component.js';
import type { AlgorithmName } from './crypto.js';
import { PLATFORM_ISSUER } from './shared-names.js';

/** Key algorithms the platform's certificates use; both are in the FIPS 186-5 set. */
export const CERTIFICATE_KEYS = {
  'ECDSA-P256': { algorithm: 'ECDSA', size: 256, signature: 'ECDSA-P256-SHA256' },
  'ECDSA-P384': { algorithm: 'ECDSA', size: 384, signature: 'ECDSA-P384-SHA384' },
} as const satisfies Record<string, { algorithm: 'ECDSA'; size: number; signature: AlgorithmName }>;

/** Props of a certificate. */
export interface CertificateProps {
  /** Name of the Certificate; also of its Secret unless `secretName` says otherwise. */
  readonly name: string;
  /** @default - the Certificate's name */
  readonly secretName?: string;
  /** Namespace. @default - the component's */
  readonly namespace?: string;
  /** DNS names, e.g. `nats.sovra-messaging.svc`. */
  readonly dnsNames: readonly string[];
  /** @default ['server auth'] */
  readonly usages?: ReadonlyArray<'server auth' | 'client auth' | 'digital signature' | 'key encipherment'>;
  /** @default 'ECDSA-P256' */
  readonly key?: keyof typeof CERTIFICATE_KEYS;
  /** Lifetime. @default '2160h' (90 days) */
  readonly duration?: string;
  /** Renew this long before expiry. @default '360h' (15 days) */
  readonly renewBefore?: string;
  /** What the certificate secures, for the CBOM. */
  readonly purpose: string;
  /** ClusterIssuer. @default PLATFORM_ISSUER */
  readonly issuer?: string;
}

/** Adds a cert-manager Certificate to `component` and declares its Secret and crypto assets. */
export function addCertificate(component: Component, props: CertificateProps): ApiObject {
  const key = CERTIFICATE_KEYS[props.key ?? 'ECDSA-P256'];
  const secretName = props.secretName ?? props.name;
  const namespace = props.namespace ?? component.info.namespace;
  const cert = new ApiObject(component, `Certificate-${props.name}`, {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: props.name, namespace },
    spec: {
      secretName,
      dnsNames: [...props.dnsNames],
      usages: [...(props.usages ?? ['server auth'])],
      duration: props.duration ?? '2160h',
      renewBefore: props.renewBefore ?? '360h',
      privateKey: { algorithm: key.algorithm, size: key.size, encoding: 'PKCS8', rotationPolicy: 'Always' },
      issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: props.issuer ?? PLATFORM_ISSUER },
    },
  });
  component.producesSecret({ name: secretName, namespace, keys: ['tls.crt', 'tls.key', 'ca.crt'], kind: 'certificate', by: `Certificate ${namespace}/${props.name}`, purpose: props.purpose });
  const configuredBy = onObject(cert, 'spec.privateKey.algorithm', { equals: key.algorithm });
  component.declareCryptoAsset({
    type: 'certificate',
    name: `${props.name} certificate`,
    purpose: props.purpose,
    configuredBy,
    certificate: { format: 'X.509', extension: 'pem', secret: { namespace, name: secretName, key: 'tls.crt' }, issuedBy: `cert-manager ClusterIssuer ${props.issuer ?? PLATFORM_ISSUER}` },
  });
  component.declareCryptoAsset({
    type: 'related-crypto-material',
    name: `${props.name} private key`,
    purpose: `Private key of the ${props.name} certificate, rotated with every renewal.`,
    configuredBy,
    material: { type: 'private-key', algorithm: key.signature, size: key.size, format: 'PKCS#8 PEM', secret: { namespace, name: secretName, key: 'tls.key' } },
  });
  component.declareCryptoAsset({ type: 'algorithm', name: key.signature, purpose: `Signature scheme of the ${props.name} certificate key.`, configuredBy, implementation: 'cert-manager (Go crypto)', certificationLevel: ['none'] });
  return cert;
}
