/**
 * Where the pods the collector chart renders cannot meet Sovra's policy
 * rules, and why: the node log agents read host paths as root (without any
 * capability) and watch pods through the API server. Each exception lifts
 * the finding in the chart's conformance test (which fails on one that
 * lifts nothing) and excludes the object from the rule's binding in the
 * cluster.
 */
import type { Component } from '../../kit/component.js';

/** Declares the exceptions of the agents' DaemonSet (`<release>-agent`, the chart's name in daemonset mode) in `namespace`. */
export function declareLogsExceptions(c: Component, release: string, namespace: string, reason: string): void {
  const agents = { kind: 'DaemonSet', namespace, name: `${release}-agent` };
  c.exceptPolicy({ rule: 'pod-security/volume-types', object: agents, reason: `Log collector: ${reason}`, release });
  c.exceptPolicy({ rule: 'pod-security/run-as-non-root', object: agents, reason: `Log collector: ${reason}`, release });
  c.exceptPolicy({
    rule: 'pod-security/service-account-token',
    object: agents,
    reason: "Log collector: the k8s_attributes processor watches pods, namespaces and replica sets (read-only ClusterRole) to label each record with its workload; the collector pod group declares the kube-apiserver peer.",
    release,
  });
}
