/**
 * Where the pods SPIRE's chart renders cannot meet Sovra's policy rules, and
 * why. The node agents and the SPIFFE CSI driver are node-level by design
 * (see AGENT_PRIVILEGE_REASON in spire.ts); the server calls the API server.
 * Each exception lifts the finding in the chart's conformance test (which
 * fails on one that lifts nothing) and excludes the object from the rule's
 * binding in the cluster.
 */
import type { Component } from '../../kit/component.js';
import { NAMESPACES } from '../../kit/shared-names.js';

/** Declares the exceptions of the objects the chart (release `release`) renders in `agentNamespace` and the server's namespace. */
export function declareSpireExceptions(c: Component, release: string, agentNamespace: string): void {
  const except = (rules: readonly string[], object: { kind: string; namespace: string; name: string }, reason: string) => {
    for (const rule of rules) c.exceptPolicy({ rule, object, reason, release });
  };
  const agent = { kind: 'DaemonSet', namespace: agentNamespace, name: 'spire-agent' };
  except(
    ['pod-security/host-namespaces', 'pod-security/volume-types'],
    agent,
    'SPIRE agent: workload attestation reads the calling process from /proc in the host PID namespace, and the Workload API socket is served from a host path the CSI driver mounts into pods.',
  );
  except(
    ['pod-security/privilege-escalation', 'pod-security/run-as-non-root', 'pod-security/capabilities', 'pod-security/read-only-root-fs'],
    agent,
    "SPIRE agent: the chart's init containers (ensure-alternate-names, fsgroupfix) run as root to prepare the socket directory on the host path for the agent's user; the agent container itself runs non-root.",
  );
  except(['pod-security/service-account-token'], agent, 'SPIRE agent: node attestation presents its projected service account token (k8s_psat), and the kubelet workload attestor asks the kubelet which pod a process belongs to.');
  const csi = { kind: 'DaemonSet', namespace: agentNamespace, name: 'spire-spiffe-csi-driver' };
  except(
    ['pod-security/privileged', 'pod-security/privilege-escalation', 'pod-security/run-as-non-root', 'pod-security/capabilities', 'pod-security/seccomp', 'pod-security/volume-types', 'pod-security/read-only-root-fs'],
    csi,
    "SPIFFE CSI driver: it runs privileged to mount the agent's socket into pods with bidirectional mount propagation, and its node-driver-registrar writes the kubelet's plugin registration directory (host paths).",
  );
  except(['pod-security/service-account-token'], csi, 'SPIFFE CSI driver: the spire chart 0.30.0 mounts the default token and has no value that turns it off for this pod; to be removed when the chart offers one.');
  except(
    ['pod-security/service-account-token'],
    { kind: 'StatefulSet', namespace: NAMESPACES.spire, name: 'spire-server' },
    'SPIRE server: it validates agent tokens with TokenReview (k8s_psat) and publishes the trust bundle ConfigMap; its controller manager watches pods and ClusterSPIFFEIDs (the server pod group declares the kube-apiserver peer).',
  );
}
