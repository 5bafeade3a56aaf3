/**
 * What the mesh writes once every component exists: the injection (or
 * ambient) label on each meshed Namespace, a default-deny
 * AuthorizationPolicy per meshed namespace, an ALLOW policy per pod group
 * that others connect to, and the NetworkPolicies the data plane itself
 * needs beside the kit's (sidecars to istiod; HBONE between ambient pods).
 *
 * Objects in other components' namespaces are children of the Istio
 * component (its claims cite them), with names unique in the component:
 * per-namespace objects carry the namespace, per-group ones the group's
 * policy name.
 */
import { ApiObject } from 'cdk8s';
import { SovraError } from '../../../core/errors.js';
import type { PodGroup } from '../../kit/network.js';
import { NAMESPACES } from '../../kit/shared-names.js';
import type { Istio } from './istio.js';
import { allowRules, inboundOf, meshMembership, plaintextPorts, type Membership, type PlaintextPort } from './mesh-policies.js';
import { HBONE_PORT, ISTIOD_POD_LABELS, ISTIOD_PORTS } from './values.js';

/** The labels that put a Namespace in the mesh, per data plane mode. */
export const MESH_LABELS = {
  sidecar: { 'istio-injection': 'enabled' },
  ambient: { 'istio.io/dataplane-mode': 'ambient' },
} as const;

/** An ALLOW policy as written, with its rules (for evidence) and the sources named by namespace only. */
export interface AllowPolicy {
  readonly target: PodGroup;
  readonly policy: ApiObject;
  readonly rules: readonly unknown[];
  readonly fallbacks: readonly string[];
  /** Ports open to sources outside the mesh (PERMISSIVE at port level), with who connects. */
  readonly plaintext: readonly PlaintextPort[];
  /** The port-level PeerAuthentication of `plaintext`, if any. */
  readonly peerAuthentication?: ApiObject;
}

/** What `applyMesh` wrote. */
export interface AppliedMesh {
  readonly membership: Membership;
  /** One per meshed namespace, sorted by namespace. */
  readonly defaultDeny: readonly ApiObject[];
  readonly allow: readonly AllowPolicy[];
}

type Selector = { namespaceSelector?: { matchLabels: Record<string, string> }; podSelector: { matchLabels: Record<string, string> } };

function selectorOf(g: PodGroup, from: string): Selector {
  const pods = { podSelector: { matchLabels: { ...g.labels } } };
  return g.namespace === from ? pods : { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': g.namespace } }, ...pods };
}

function uniqueSorted<T>(items: readonly T[]): T[] {
  return [...new Map(items.map((i) => [JSON.stringify(i), i])).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, i]) => i);
}

/** Writes the mesh's objects for the whole platform; see the file comment. */
export function applyMesh(istio: Istio, outsideMesh: ReadonlyArray<{ component: string; reason: string }>): AppliedMesh {
  const platform = istio.platform;
  const membership = meshMembership(platform, istio, outsideMesh);
  for (const m of membership.members) m.addNamespaceLabels(MESH_LABELS[istio.mode]);
  const meshedNs = new Set(membership.namespaces);
  // The gateway's pods carry their own injection label, in the mesh's namespace.
  const meshed = (g: PodGroup) => meshedNs.has(g.namespace) || g === istio.gateway;

  const defaultDeny = membership.namespaces.map(
    (ns) =>
      new ApiObject(istio, `AuthorizationPolicy-default-deny-${ns}`, {
        apiVersion: 'security.istio.io/v1',
        kind: 'AuthorizationPolicy',
        metadata: { name: `default-deny-${ns}`, namespace: ns, annotations: { 'sovra.dev/reason': 'No selector, no rules: an ALLOW policy that matches nothing denies every request to the namespace unless another policy allows it.' } },
        spec: {},
      }),
  );

  const allow: AllowPolicy[] = [];
  const flows: Array<{ source: PodGroup; target: PodGroup }> = [];
  for (const target of platform.podGroups().filter((g) => meshedNs.has(g.namespace))) {
    const all = inboundOf(target, platform);
    const plaintext = plaintextPorts(all, target, meshed);
    const inbound = all.filter((i) => meshed(i.source));
    if (inbound.length === 0 && plaintext.length === 0) continue;
    const { rules: identityRules, fallbacks } = allowRules(inbound);
    // Sources outside the mesh present no identity: their ports are allowed from any source, which the NetworkPolicy narrows to the declared ones.
    const rules = [...identityRules, ...(plaintext.length > 0 ? [{ to: [{ operation: { ports: plaintext.map((x) => String(x.port)) } }] }] : [])];
    const name = target.networkPolicy.metadata.name as string;
    const policy = new ApiObject(istio, `AuthorizationPolicy-${target.namespace}-${name}`, {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: {
        name,
        namespace: target.namespace,
        annotations: {
          'sovra.dev/reason': uniqueSorted([...inbound.map((i) => i.reason), ...plaintext.flatMap((x) => x.sources)]).join('; '),
          ...(fallbacks.length > 0 ? { 'sovra.dev/identity-fallback': fallbacks.join('; ') } : {}),
          ...(plaintext.length > 0 ? { 'sovra.dev/plaintext-ports': plaintext.map((x) => x.port).join(',') } : {}),
        },
      },
      spec: { selector: { matchLabels: { ...target.labels } }, action: 'ALLOW', rules },
    });
    const peerAuthentication =
      plaintext.length > 0
        ? new ApiObject(istio, `PeerAuthentication-${target.namespace}-${name}`, {
            apiVersion: 'security.istio.io/v1',
            kind: 'PeerAuthentication',
            metadata: { name: `${name}-plaintext`, namespace: target.namespace, annotations: { 'sovra.dev/reason': `Sources outside the mesh connect to these ports: ${plaintext.flatMap((x) => x.sources.map((s) => `${x.port} from ${s}`)).join('; ')}` } },
            spec: {
              selector: { matchLabels: { ...target.labels } },
              mtls: { mode: 'STRICT' },
              portLevelMtls: Object.fromEntries(plaintext.map((x) => [String(x.port), { mode: 'PERMISSIVE' }])),
            },
          })
        : undefined;
    // A declared exception of mesh/strict-mtls (policies/): exactly this object, with the sources that need it; shown in
    // policy-report.json and excluded by name from the rule's binding, so a PeerAuthentication the synth did not derive stays denied.
    if (peerAuthentication) {
      istio.exceptPolicy({
        rule: 'mesh/strict-mtls',
        object: peerAuthentication,
        reason: `Port-level PERMISSIVE for sources outside the mesh, which have no mesh identity (the workload's other ports stay STRICT; on these ports only the service's own TLS protects the traffic where it serves TLS, and a plain-HTTP port such as a metrics or log-ingestion endpoint is in clear text on the node and protected between nodes only by Cilium's transparent encryption): ${plaintext.flatMap((x) => x.sources.map((s) => `${x.port} from ${s}`)).join('; ')}.`,
      });
    }
    allow.push({ target, policy, rules, fallbacks, plaintext, ...(peerAuthentication ? { peerAuthentication } : {}) });
    for (const i of all) flows.push({ source: i.source, target });
  }

  if (istio.mode === 'sidecar') {
    sidecarRules(istio, membership.namespaces);
    registryOnlyEgress(istio, platform.podGroups().filter(meshed));
  } else {
    ambientRules(istio, flows, membership.namespaces);
  }
  return { membership, defaultDeny, allow };
}

/** Every pod of a meshed namespace (sidecars of undeclared pods too) reaches istiod for configuration and its certificate. */
function sidecarRules(istio: Istio, namespaces: readonly string[]): void {
  if (namespaces.length === 0) return;
  const istiod = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': NAMESPACES.istio } }, podSelector: { matchLabels: { ...ISTIOD_POD_LABELS } } };
  const xds = [{ port: ISTIOD_PORTS.xds, protocol: 'TCP' }];
  for (const ns of namespaces) {
    new ApiObject(istio, `NetworkPolicy-istio-proxy-${ns}`, {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `istio-proxy-${ns}`, namespace: ns },
      spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [istiod], ports: xds }] },
    });
  }
  new ApiObject(istio, 'NetworkPolicy-istiod-from-mesh', {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'istiod-from-mesh', namespace: NAMESPACES.istio },
    spec: {
      podSelector: { matchLabels: { ...ISTIOD_POD_LABELS } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...namespaces] }] } }], ports: xds }],
    },
  });
}

/**
 * Under REGISTRY_ONLY a sidecar forwards only to services the mesh knows.
 * The API server is one (Service `kubernetes`); declared FQDNs become
 * ServiceEntries; any other entity peer of a meshed pod could never be
 * reached, so the synth fails naming it.
 */
function registryOnlyEgress(istio: Istio, groups: readonly PodGroup[]): void {
  for (const g of groups) {
    const external = g.egress.flatMap((c) => ('entity' in c.to && c.to.entity !== 'kube-apiserver' ? [{ to: c.to, reason: c.reason }] : []));
    if (external.length === 0) continue;
    const unreachable = external.filter((e) => !e.to.fqdns || e.to.fqdns.length === 0);
    if (unreachable.length > 0) {
      const what = unreachable.map((e) => `entity ${e.to.entity} (${e.reason})`).join(', ');
      throw new SovraError(
        'bad-input',
        `component "${g.owner.id}" (pods ${g.name}) is in the mesh and connects to ${what}, which the mesh's outbound policy REGISTRY_ONLY blocks. Name the FQDNs of the peer (they become ServiceEntries), or list "${g.owner.id}" in components.istio.outsideMesh with the reason.`,
      );
    }
    const hosts = [...new Set(external.flatMap((e) => e.to.fqdns ?? []))].sort();
    const ports = uniqueSorted(external.flatMap((e) => e.to.ports.map((p) => ({ number: p.port, name: `tcp-${p.port}`, protocol: 'TCP' }))));
    const name = `${g.networkPolicy.metadata.name as string}-egress`;
    new ApiObject(istio, `ServiceEntry-${g.namespace}-${name}`, {
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name, namespace: g.namespace, annotations: { 'sovra.dev/reason': [...new Set(external.map((e) => e.reason))].join('; ') } },
      spec: { hosts, ports, location: 'MESH_EXTERNAL', resolution: 'DNS', exportTo: ['.'] },
    });
  }
}

/**
 * Ambient pods exchange traffic as HBONE tunnels to port 15008 of the
 * destination pod, which the kit's NetworkPolicies (target ports) do not
 * allow: each declared flow between meshed pods is allowed again on 15008,
 * for the same pods. Kubelet probes reach ambient pods from the link-local
 * address istio-cni SNATs them to, which Cilium's default deny does not
 * treat as the host (Istio's platform prerequisites for Cilium).
 */
function ambientRules(istio: Istio, flows: ReadonlyArray<{ source: PodGroup; target: PodGroup }>, namespaces: readonly string[]): void {
  const groups = [...new Set(flows.flatMap((f) => [f.source, f.target]))];
  const hbone = [{ port: HBONE_PORT, protocol: 'TCP' }];
  for (const g of groups) {
    const ingress = uniqueSorted(flows.filter((f) => f.target === g).map((f) => selectorOf(f.source, g.namespace)));
    const egress = uniqueSorted(flows.filter((f) => f.source === g).map((f) => selectorOf(f.target, g.namespace)));
    const name = `${g.networkPolicy.metadata.name as string}-hbone`;
    new ApiObject(istio, `NetworkPolicy-${g.namespace}-${name}`, {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name, namespace: g.namespace },
      spec: {
        podSelector: { matchLabels: { ...g.labels } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: ingress.length > 0 ? [{ from: ingress, ports: hbone }] : [],
        egress: egress.length > 0 ? [{ to: egress, ports: hbone }] : [],
      },
    });
  }
  if (namespaces.length === 0) return;
  const probes = new ApiObject(istio, 'CiliumClusterwideNetworkPolicy-ambient-probes', {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumClusterwideNetworkPolicy',
    metadata: { name: 'istio-ambient-probes' },
    spec: {
      description: 'Kubelet health probes of ambient pods, SNATed by istio-cni to 169.254.7.127.',
      endpointSelector: { matchExpressions: [{ key: 'io.kubernetes.pod.namespace', operator: 'In', values: [...namespaces] }] },
      ingress: [{ fromCIDR: ['169.254.7.127/32'] }],
    },
  });
  istio.markClusterScoped(probes);
}
