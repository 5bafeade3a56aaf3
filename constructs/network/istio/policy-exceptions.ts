/**
 * Where the pods Istio's charts render cannot meet Sovra's policy rules, and
 * why. istio-cni (and ztunnel in ambient mode) are node agents in
 * kube-system, beside Cilium: they write the node's CNI directories and
 * program traffic redirection inside pods' network namespaces. Each
 * exception lifts the finding in the chart's conformance test (which fails
 * on one that lifts nothing) and excludes the object from the rule's
 * binding in the cluster.
 */
import type { Component } from '../../kit/component.js';
import { NAMESPACES } from '../../kit/shared-names.js';
import { NODE_AGENT_NAMESPACE, RELEASES } from './values.js';

const KUBE_SYSTEM =
  "kube-system is the distribution's namespace: Cilium's cluster-wide default deny leaves it out so DNS and the CNI chain work before any policy exists (constructs/network/cilium)";
const NO_LIMITS = "the chart sets requests only and no limits are published for it offline; a memory limit on a node's traffic agent risks cutting its pods' networking when it is OOM-killed. To be sized by the istio component's owner (chart value `resources`)";

/** Declares the exceptions of the objects Istio's charts render (ztunnel's only in ambient mode). */
export function declareIstioExceptions(c: Component, ambient: boolean): void {
  const except = (release: string, rules: readonly string[], object: { kind: string; namespace: string; name: string }, reason: string) => {
    for (const rule of rules) c.exceptPolicy({ rule, object, reason, release });
  };
  const cni = { kind: 'DaemonSet', namespace: NODE_AGENT_NAMESPACE, name: 'istio-cni-node' };
  except(
    RELEASES.cni,
    ['pod-security/privilege-escalation', 'pod-security/run-as-non-root', 'pod-security/capabilities', 'pod-security/volume-types', 'pod-security/read-only-root-fs'],
    cni,
    "istio-cni node agent: it installs its CNI plugin and configuration into the node's CNI directories (host paths, as root) and sets up traffic redirection in pods' network namespaces (NET_ADMIN, NET_RAW, SYS_ADMIN, SYS_PTRACE, DAC_OVERRIDE; every other capability dropped, seccomp RuntimeDefault).",
  );
  except(RELEASES.cni, ['pod-security/service-account-token'], cni, 'istio-cni node agent: it watches the pods of its node through the API server to decide which to redirect.');
  except(RELEASES.cni, ['pod-security/resources'], cni, `istio-cni node agent: ${NO_LIMITS}.`);
  except(RELEASES.cni, ['network/default-deny'], cni, `istio-cni node agent: ${KUBE_SYSTEM}.`);
  if (ambient) {
    const ztunnel = { kind: 'DaemonSet', namespace: NODE_AGENT_NAMESPACE, name: 'ztunnel' };
    except(
      RELEASES.ztunnel,
      ['pod-security/privilege-escalation', 'pod-security/run-as-non-root', 'pod-security/capabilities', 'pod-security/seccomp', 'pod-security/volume-types'],
      ztunnel,
      "ztunnel (ambient mode): the node's mTLS proxy enters pods' network namespaces to listen on their behalf (NET_ADMIN, SYS_ADMIN, NET_RAW as root) and receives them over a socket on a host path shared with istio-cni.",
    );
    except(RELEASES.ztunnel, ['pod-security/service-account-token'], ztunnel, "ztunnel (ambient mode): it requests certificates from istiod for the node's workloads with its own token.");
    except(RELEASES.ztunnel, ['pod-security/resources'], ztunnel, `ztunnel (ambient mode): ${NO_LIMITS}.`);
    except(RELEASES.ztunnel, ['network/default-deny'], ztunnel, `ztunnel (ambient mode): ${KUBE_SYSTEM}.`);
  }
  except(
    RELEASES.istiod,
    ['pod-security/service-account-token'],
    { kind: 'Deployment', namespace: NAMESPACES.istio, name: 'istiod' },
    'istiod watches Services, pods and mesh configuration and reviews proxy tokens through the API server (the istiod pod group declares the kube-apiserver peer).',
  );
  except(
    RELEASES.gateway,
    ['pod-security/service-account-token'],
    { kind: 'Deployment', namespace: NAMESPACES.istio, name: RELEASES.gateway },
    "Ingress gateway: the gateway chart 1.30.3 has no value for the pod's automountServiceAccountToken, so the default token is mounted; the chart's Role lets it read only Secrets in its namespace (its TLS credential). To be removed when the chart can turn it off.",
  );
  except(
    RELEASES.gateway,
    ['images/pinned-by-digest'],
    { kind: 'Deployment', namespace: NAMESPACES.istio, name: RELEASES.gateway },
    "Ingress gateway: its container's image is Istio's injection placeholder `auto`, not a reference. The sidecar injector (template `gateway`) replaces it in every pod with the mesh's proxy image, istiod's `global.proxy.image`, which the istio component declares (SBOM) and the lock pins when a digest is recorded.",
  );
}
