/**
 * The Tenant's configuration Secret (`config.env`, the form the MinIO
 * operator reads: shell `export` lines with the root user and password).
 * The password is generated once in the cluster by an ESO Password
 * generator and templated into the file by the ExternalSecret, so no
 * credential is ever written in the output. The kit's ExternalSecret helper
 * writes plain keys; this one needs ESO's template, hence its own object
 * (same CRD versions: external-secrets.io/v1, generators v1alpha1).
 */
import { ApiObject } from 'cdk8s';
import type { Component } from '../../kit/component.js';
import { generatorName } from '../../kit/external-secrets.js';

/** Name of the root user (not a secret; the password is). */
export const ROOT_USER = 'sovra-root';
/** Length of the generated root password (letters and digits). */
export const ROOT_PASSWORD_LENGTH = 40;

/** Adds the generator and the ExternalSecret that write `config.env` into Secret `name`, and declares the Secret. */
export function addRootCredentials(component: Component, name: string): ApiObject {
  const namespace = component.info.namespace;
  const gen = new ApiObject(component, `Password-${name}-root`, {
    apiVersion: 'generators.external-secrets.io/v1alpha1',
    kind: 'Password',
    metadata: { name: generatorName(name, 'root'), namespace },
    // Letters and digits only: the value sits inside a double-quoted shell word.
    spec: { length: ROOT_PASSWORD_LENGTH, digits: 10, symbols: 0, noUpper: false, allowRepeat: true },
  });
  const es = new ApiObject(component, `ExternalSecret-${name}`, {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name, namespace },
    spec: {
      refreshPolicy: 'CreatedOnce',
      target: {
        name,
        creationPolicy: 'Owner',
        deletionPolicy: 'Retain',
        template: {
          engineVersion: 'v2',
          data: { 'config.env': `export MINIO_ROOT_USER="${ROOT_USER}"\nexport MINIO_ROOT_PASSWORD="{{ .password }}"\n` },
        },
      },
      dataFrom: [{ sourceRef: { generatorRef: { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'Password', name: gen.name } } }],
    },
  });
  component.producesSecret({
    name,
    keys: ['config.env'],
    kind: 'external-secret',
    by: `ExternalSecret ${namespace}/${name}`,
    purpose: 'Root user and password of the MinIO Tenant (config.env), the password generated once in the cluster.',
  });
  return es;
}
