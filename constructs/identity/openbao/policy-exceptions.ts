/**
 * Where the pods OpenBao's chart renders cannot meet Sovra's policy rules,
 * and why. The exception lifts the finding in the chart's conformance test
 * (which fails on one that lifts nothing) and excludes the object from the
 * rule's binding in the cluster.
 */
import type { Component } from '../../kit/component.js';
import { NAMESPACES } from '../../kit/shared-names.js';

/** Declares the exceptions of the objects the chart (release `release`) renders. */
export function declareOpenBaoExceptions(c: Component, release: string): void {
  c.exceptPolicy({
    rule: 'pod-security/service-account-token',
    object: { kind: 'StatefulSet', namespace: NAMESPACES.openbao, name: release },
    reason:
      "OpenBao's Kubernetes auth reviews its clients' tokens with its own service account token (TokenReview, ClusterRole system:auth-delegator), and service registration labels the active server; the server pod group declares the kube-apiserver peer.",
    release,
  });
}
