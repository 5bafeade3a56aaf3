/**
 * Where the pods Keycloak's chart renders cannot meet Sovra's policy rules
 * as written, and why. The exception lifts the finding in the chart's
 * conformance test (which fails on one that lifts nothing, and checks that
 * the ServiceAccount really mounts no token) and excludes the object from
 * the rule's binding in the cluster.
 */
import type { Component } from '../../kit/component.js';
import { NAMESPACES } from '../../kit/shared-names.js';

/** Declares the exceptions of the objects the chart (release `release`) renders. */
export function declareKeycloakExceptions(c: Component, release: string): void {
  c.exceptPolicy({
    rule: 'pod-security/service-account-token',
    object: { kind: 'StatefulSet', namespace: NAMESPACES.keycloak, name: release },
    reason:
      'No token is mounted: the keycloakx chart 7.1.11 sets automountServiceAccountToken: false on the ServiceAccount (serviceAccount.automountServiceAccountToken), which the pod inherits, and has no value for the pod-level field the rule reads (an admission policy sees one object, not the ServiceAccount). The jdbc-ping cache stack needs no API access.',
    release,
  });
}
