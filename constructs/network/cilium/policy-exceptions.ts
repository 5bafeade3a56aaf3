/**
 * Where the pods Cilium's chart renders cannot meet Sovra's policy rules,
 * and why. A CNI is the node's network: its agent and node proxy run in the
 * host's namespaces with the privileges to program eBPF and routes. Each
 * exception lifts the finding in the chart's conformance test and excludes
 * the object from the rule's binding in the cluster; an exception that
 * lifts nothing fails that test, so this list cannot go stale.
 */
import type { Component } from '../../kit/component.js';

const NS = 'kube-system';
const CNI = 'the CNI agent programs eBPF, routes and WireGuard on the node, mounts the BPF file system and cgroup v2, and installs the CNI binaries: it needs the host network, privileged init steps, capabilities (NET_ADMIN, SYS_ADMIN, BPF…) and host paths';
const NODE_PROXY = "Cilium's Envoy runs beside the agent as the node's L7 proxy: host network, the agent's BPF maps and sockets through host paths, and the capabilities to bind transparently";
const OPERATOR = 'the operator manages IPAM and CiliumNode objects before pod networking exists, so it runs on the host network (its ports are host ports) and calls the API server';
const KUBE_SYSTEM = "kube-system is the distribution's namespace: Cilium's cluster-wide default deny leaves it out so DNS and the CNI itself work before any policy exists (constructs/network/cilium)";
const NO_LIMITS = "the chart sets no resources here by default and no sizes are published for it offline; a limit on a CNI component risks cutting the node's networking when it is OOM-killed. To be sized by the Cilium component's owner (values resources of";
const CERTGEN = 'certgen writes the Hubble TLS Secrets through the API server (it needs a token) and the chart runs it as its image user, writing to its root file system; settable through certgen.podSecurityContext and certgen.securityContext, to be set by the Cilium component\'s owner';

/** Declares the exceptions of the objects Cilium's chart (release `release`) renders. */
export function declareCiliumExceptions(c: Component, release: string): void {
  const except = (rules: readonly string[], object: { kind: string; name: string; selector?: Record<string, string> }, reason: string) => {
    for (const rule of rules) c.exceptPolicy({ rule, object: { ...object, namespace: NS }, reason, release });
  };
  const agent = { kind: 'DaemonSet', name: 'cilium' };
  except(
    ['pod-security/privileged', 'pod-security/host-namespaces', 'pod-security/host-ports', 'pod-security/privilege-escalation', 'pod-security/run-as-non-root', 'pod-security/capabilities', 'pod-security/seccomp', 'pod-security/volume-types', 'pod-security/read-only-root-fs'],
    agent,
    `Cilium agent: ${CNI}.`,
  );
  except(['pod-security/service-account-token'], agent, 'Cilium agent: it watches pods, services, endpoints and network policies and writes CiliumEndpoint and CiliumNode objects through the API server.');
  except(['pod-security/resources'], agent, `Cilium agent: ${NO_LIMITS} the agent).`);
  const envoy = { kind: 'DaemonSet', name: 'cilium-envoy' };
  except(
    ['pod-security/host-namespaces', 'pod-security/host-ports', 'pod-security/privilege-escalation', 'pod-security/run-as-non-root', 'pod-security/capabilities', 'pod-security/seccomp', 'pod-security/volume-types', 'pod-security/read-only-root-fs'],
    envoy,
    `Cilium Envoy: ${NODE_PROXY}.`,
  );
  except(['pod-security/service-account-token'], envoy, "Cilium Envoy: the chart mounts the token for Envoy's Kubernetes resource discovery.");
  except(['pod-security/resources'], envoy, `Cilium Envoy: ${NO_LIMITS} envoy).`);
  const operator = { kind: 'Deployment', name: 'cilium-operator' };
  except(['pod-security/host-namespaces', 'pod-security/host-ports'], operator, `Cilium operator: ${OPERATOR}.`);
  except(['pod-security/service-account-token'], operator, `Cilium operator: ${OPERATOR}.`);
  except(['pod-security/run-as-non-root', 'pod-security/read-only-root-fs'], operator, "Cilium operator: the chart runs it as its image's user with a writable root (no securityContext by default); settable through operator.securityContext, to be set by the Cilium component's owner.");
  except(['pod-security/resources'], operator, `Cilium operator: ${NO_LIMITS} operator).`);
  except(['pod-security/resources'], { kind: 'Deployment', name: 'hubble-relay' }, `Hubble Relay: ${NO_LIMITS} hubble.relay).`);
  const certgen = [{ kind: 'CronJob', name: 'hubble-generate-certs' }, { kind: 'Job', name: '*', selector: { 'app.kubernetes.io/name': 'hubble-generate-certs' } }];
  for (const o of certgen) {
    except(['pod-security/service-account-token', 'pod-security/run-as-non-root', 'pod-security/read-only-root-fs'], o, `Hubble certgen: ${CERTGEN}. The Job's name is a checksum of its spec, so it is selected by its label.`);
    except(['pod-security/resources'], o, `Hubble certgen: ${NO_LIMITS} certgen).`);
  }
  for (const o of [agent, envoy, operator, { kind: 'Deployment', name: 'hubble-relay' }, ...certgen]) except(['network/default-deny'], o, `${o.kind} ${o.name}: ${KUBE_SYSTEM}.`);
  c.exceptPolicy({
    rule: 'pod-security/namespace-restricted',
    object: { kind: 'Namespace', name: 'cilium-secrets' },
    reason: "cilium-secrets holds only the Secrets Cilium copies for TLS interception; no pod runs there, and the chart creates it without Pod Security labels (Pod Security Admission's cluster default applies).",
    release,
  });
}
