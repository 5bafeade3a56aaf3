/**
 * Where the pods cert-manager's and trust-manager's charts render cannot
 * meet Sovra's policy rules, and why: each is a controller of the API
 * server, so it needs an API token (its pod group declares the
 * kube-apiserver peer in cert-manager.ts). Each exception lifts the finding
 * in the chart's conformance test (which fails on one that lifts nothing)
 * and excludes the object from the rule's binding in the cluster.
 */
import { NAMESPACES } from '../../kit/shared-names.js';
import type { Component } from '../../kit/component.js';
import { RELEASES } from './values.js';

const TOKEN = 'pod-security/service-account-token';

/** Declares the exceptions of the objects the two charts render. */
export function declareCertManagerExceptions(c: Component): void {
  const except = (release: string, name: string, reason: string) =>
    c.exceptPolicy({ rule: TOKEN, object: { kind: 'Deployment', namespace: NAMESPACES.certManager, name }, reason, release });
  except(RELEASES.certManager, 'cert-manager', 'The cert-manager controller reconciles Certificates and Issuers and writes the Secrets they produce through the API server.');
  except(RELEASES.certManager, 'cert-manager-cainjector', 'cainjector writes CA bundles into webhook configurations and CRDs through the API server.');
  except(RELEASES.certManager, 'cert-manager-webhook', 'The cert-manager webhook keeps its dynamic serving CA in a Secret, read and written through the API server.');
  except(RELEASES.trustManager, 'trust-manager', 'trust-manager reads Bundle sources and writes the trust bundle ConfigMaps through the API server.');
}
