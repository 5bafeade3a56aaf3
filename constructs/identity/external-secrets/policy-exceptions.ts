/**
 * Where the pods External Secrets' chart renders cannot meet Sovra's policy
 * rules, and why: the controller and the webhook call the API server (their
 * pod groups declare the kube-apiserver peer in external-secrets.ts). Each
 * exception lifts the finding in the chart's conformance test (which fails
 * on one that lifts nothing) and excludes the object from the rule's
 * binding in the cluster.
 */
import { NAMESPACES } from '../../kit/shared-names.js';
import type { Component } from '../../kit/component.js';
import { EXTERNAL_SECRETS_RELEASE } from './values.js';

/** Declares the exceptions of the objects the chart renders. */
export function declareExternalSecretsExceptions(c: Component): void {
  const except = (name: string, reason: string) =>
    c.exceptPolicy({ rule: 'pod-security/service-account-token', object: { kind: 'Deployment', namespace: NAMESPACES.externalSecrets, name }, reason, release: EXTERNAL_SECRETS_RELEASE });
  except('external-secrets', 'The controller watches ExternalSecrets, stores and generators, writes Secrets and requests its service account token for the OpenBao login (Kubernetes auth), all through the API server.');
  except('external-secrets-webhook', "The webhook's manager reads the API server (stores and ExternalSecrets it validates).");
}
