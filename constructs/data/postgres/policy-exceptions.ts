/**
 * Where the pods CloudNativePG's chart renders cannot meet Sovra's policy
 * rules, and why. The exception lifts the finding in the chart's
 * conformance test (which fails on one that lifts nothing) and excludes the
 * object from the rule's binding in the cluster.
 */
import type { Component } from '../../kit/component.js';
import { NAMESPACES } from '../../kit/shared-names.js';

/** Declares the exceptions of the objects the operator chart (release `release`) renders. */
export function declareCnpgExceptions(c: Component, release: string): void {
  c.exceptPolicy({
    rule: 'pod-security/service-account-token',
    object: { kind: 'Deployment', namespace: NAMESPACES.postgresOperator, name: release },
    reason: 'The operator watches its CRDs, Pods and Secrets, writes status and holds its leader-election lease through the API server (its pod group declares the kube-apiserver peer).',
    release,
  });
}
