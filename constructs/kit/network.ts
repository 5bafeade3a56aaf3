/**
 * Who talks to whom, declared by the component that has the need and never
 * edited into another: a component names its pods (labels, named ports,
 * service account) and the peers they connect to (another component's pods
 * and port, or a Cilium entity such as the API server). Every allow rule of
 * the platform is derived from these declarations when the tree is
 * rendered: a Kubernetes NetworkPolicy per pod group (ingress from every
 * group that declared it as a peer, egress to the groups it declared),
 * a CiliumNetworkPolicy where an entity peer needs one, and the rules of
 * mesh layers that read the same graph.
 */
import { ApiObject, Lazy } from 'cdk8s';
import { SovraError } from '../../core/errors.js';

/** A named port pods serve. */
export interface PortSpec {
  readonly port: number;
  /** @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP';
}

/** What a component says about a set of its pods. */
export interface PodGroupSpec {
  /** Name within the component, e.g. `server`; also part of the policy names. */
  readonly name: string;
  /** Pod labels that select exactly these pods (set by the component or its chart). */
  readonly labels: Readonly<Record<string, string>>;
  /** Ports the pods serve, by name. */
  readonly ports?: Readonly<Record<string, PortSpec>>;
  /** Service account the pods run as (their workload identity in the mesh). */
  readonly serviceAccount?: string;
  /** Namespace of the pods. @default - the component's namespace */
  readonly namespace?: string;
  /**
   * Name of the NetworkPolicy (and CiliumNetworkPolicy) derived for them.
   * @default - `<component id>` when the group has the component's id as name, else `<component id>-<name>`
   */
  readonly policyName?: string;
}

/** Cilium entities a pod may reach outside the platform's own pods. */
export type Entity = 'kube-apiserver' | 'host' | 'remote-node' | 'world';

/** Where pods connect to. */
export type Peer =
  /** A port of another (or the same) component's pod group. */
  | { readonly component: string; readonly pods: string; readonly port: string }
  /** A Cilium entity, on the given ports (FQDNs narrow `world`). */
  | { readonly entity: Entity; readonly ports: readonly PortSpec[]; readonly fqdns?: readonly string[] };

/** A declared connection, with why it exists (shown in policy descriptions and the SSP data flow). */
export interface Connection {
  readonly from: PodGroup;
  readonly to: Peer;
  readonly reason: string;
}

/** A metrics endpoint a component exposes, scraped by whatever component scrapes metrics. */
export interface MetricsEndpoint {
  readonly pods: PodGroup;
  /** Name of the port in the group's `ports`. */
  readonly port: string;
  /** @default '/metrics' */
  readonly path?: string;
  /** @default 'http' */
  readonly scheme?: 'http' | 'https';
}

/** What the kit needs of the platform to derive rules: every pod group and metrics endpoint. */
export interface NetworkDirectory {
  /** Pod group `pods` of component `component`, or undefined when the platform does not have it. */
  podGroup(component: string, pods: string): PodGroup | undefined;
  /** Every pod group, in construct order. */
  podGroups(): readonly PodGroup[];
  /** Every metrics endpoint, in construct order. */
  metricsEndpoints(): readonly MetricsEndpoint[];
}

/** The owner of a pod group, as the group needs it. */
export interface PodGroupOwner {
  /** Component id. */
  readonly id: string;
  readonly namespace: string;
  /** The construct under which the policy objects are created. */
  readonly scope: import('constructs').Construct;
  /** The directory of the platform the owner is part of. */
  directory(): NetworkDirectory;
}

/** Cluster DNS, which every pod may reach. */
export const CLUSTER_DNS = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, port: 53 } as const;

type K8sPeer = { namespaceSelector?: { matchLabels: Record<string, string> }; podSelector: { matchLabels: Record<string, string> } };
type K8sPort = { port: number; protocol: 'TCP' | 'UDP' };
type K8sRule = { peers: K8sPeer[]; ports: K8sPort[] };

function nsSelector(ns: string): { matchLabels: Record<string, string> } {
  return { matchLabels: { 'kubernetes.io/metadata.name': ns } };
}

function sortedLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Merges rules with the same peer into one, ports sorted; rules sorted by peer. Deterministic. */
function compact(rules: K8sRule[]): Array<Record<string, unknown>> {
  const byPeer = new Map<string, { peer: K8sPeer; ports: Map<string, K8sPort> }>();
  for (const r of rules) {
    for (const p of r.peers) {
      const key = JSON.stringify(p);
      const entry = byPeer.get(key) ?? { peer: p, ports: new Map() };
      for (const port of r.ports) entry.ports.set(`${port.protocol}/${String(port.port).padStart(5, '0')}`, port);
      byPeer.set(key, entry);
    }
  }
  return [...byPeer.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, e]) => ({ from: [e.peer], ports: [...e.ports.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, p]) => p) }));
}

/** A set of pods of one component, the peers they connect to, and the policies derived for them. */
export class PodGroup {
  readonly owner: PodGroupOwner;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ports: Readonly<Record<string, PortSpec>>;
  readonly serviceAccount: string | undefined;
  readonly namespace: string;
  /** The NetworkPolicy derived for these pods (ingress and egress allow-lists). */
  readonly networkPolicy: ApiObject;
  private readonly _egress: Connection[] = [];
  private readonly _entityIngress: Array<{ readonly entity: Exclude<Entity, 'world'>; readonly port: string; readonly reason: string }> = [];
  private _scrapes = false;
  private _ciliumPolicy: ApiObject | undefined;

  constructor(owner: PodGroupOwner, spec: PodGroupSpec) {
    if (!/^[a-z][a-z0-9-]{0,40}$/.test(spec.name)) throw new Error(`${owner.id}: pod group name "${spec.name}" must be lower-case letters, digits and dashes`);
    if (Object.keys(spec.labels).length === 0) throw new Error(`${owner.id}: pod group ${spec.name} needs at least one label to select its pods`);
    this.owner = owner;
    this.name = spec.name;
    this.labels = sortedLabels(spec.labels);
    this.ports = spec.ports ?? {};
    this.serviceAccount = spec.serviceAccount;
    this.namespace = spec.namespace ?? owner.namespace;
    const policyName = spec.policyName ?? (spec.name === owner.id ? owner.id : `${owner.id}-${spec.name}`);
    this.networkPolicy = new ApiObject(owner.scope, `NetworkPolicy-${spec.name}`, {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: policyName, namespace: this.namespace },
      spec: Lazy.any({ produce: () => this.networkPolicySpec() }),
    });
  }

  /** Connections these pods open, as declared. */
  get egress(): readonly Connection[] {
    return this._egress;
  }

  /** Whether these pods scrape every declared metrics endpoint. */
  get scrapesMetrics(): boolean {
    return this._scrapes;
  }

  /** The CiliumNetworkPolicy derived for entity peers, when any is declared. */
  get ciliumPolicy(): ApiObject | undefined {
    return this._ciliumPolicy;
  }

  /** The port named `name`; throws naming the group's ports when there is none. */
  port(name: string): PortSpec {
    const p = this.ports[name];
    if (!p) throw new SovraError('bad-input', `component "${this.owner.id}", pods "${this.name}": no port named "${name}"; ports: ${Object.keys(this.ports).join(', ') || '(none)'}.`);
    return p;
  }

  /** Declares that these pods connect to `peer`, and why. */
  connectsTo(peer: Peer, reason: string): this {
    this._egress.push({ from: this, to: peer, reason });
    if ('entity' in peer) this.ensureCiliumPolicy();
    return this;
  }

  /**
   * Declares that a Cilium entity connects to these pods on port `port` (one
   * of theirs): the API server calling an admission webhook, the node's
   * kubelet. NetworkPolicy cannot name the API server, so the rule is a
   * CiliumNetworkPolicy ingress `fromEntities`.
   */
  acceptsFrom(entity: Exclude<Entity, 'world'>, port: string, reason: string): this {
    this.port(port);
    this._entityIngress.push({ entity, port, reason });
    this.ensureCiliumPolicy();
    return this;
  }

  /** Entities these pods accept connections from, as declared. */
  get entityIngress(): ReadonlyArray<{ readonly entity: Exclude<Entity, 'world'>; readonly port: string; readonly reason: string }> {
    return this._entityIngress;
  }

  private ensureCiliumPolicy(): void {
    if (this._ciliumPolicy) return;
    this._ciliumPolicy = new ApiObject(this.owner.scope, `CiliumNetworkPolicy-${this.name}`, {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: this.networkPolicy.metadata.name as string, namespace: this.namespace },
      spec: Lazy.any({ produce: () => this.ciliumPolicySpec() }),
    });
  }

  /** Declares that these pods scrape the metrics endpoints of every component (allow rules follow). */
  scrapeMetrics(): this {
    this._scrapes = true;
    return this;
  }

  /** Checks every declared peer exists in the platform; returns the problems. */
  validate(): string[] {
    const dir = this.owner.directory();
    const problems: string[] = [];
    for (const c of this._egress) {
      if ('entity' in c.to) continue;
      const target = dir.podGroup(c.to.component, c.to.pods);
      if (!target) {
        problems.push(`component "${this.owner.id}" (pods ${this.name}) connects to pods "${c.to.pods}" of component "${c.to.component}", which this profile does not install (${c.reason}). Install that component or drop the peer.`);
      } else if (!target.ports[c.to.port]) {
        problems.push(`component "${this.owner.id}" (pods ${this.name}) connects to port "${c.to.port}" of ${c.to.component}/${c.to.pods}, which serves ${Object.keys(target.ports).join(', ') || 'no ports'}.`);
      }
    }
    return problems;
  }

  private selectorOf(group: PodGroup): K8sPeer {
    return group.namespace === this.namespace ? { podSelector: { matchLabels: { ...group.labels } } } : { namespaceSelector: nsSelector(group.namespace), podSelector: { matchLabels: { ...group.labels } } };
  }

  private portOf(group: PodGroup, name: string): K8sPort {
    const p = group.port(name);
    return { port: p.port, protocol: p.protocol ?? 'TCP' };
  }

  /** Ingress: from every group that connects to one of these ports or scrapes their metrics. Egress: DNS, declared peers, scraped endpoints. */
  private networkPolicySpec(): Record<string, unknown> {
    const dir = this.owner.directory();
    const ingress: K8sRule[] = [];
    for (const g of dir.podGroups()) {
      for (const c of g.egress) {
        if ('entity' in c.to || c.to.component !== this.owner.id || c.to.pods !== this.name) continue;
        ingress.push({ peers: [this.selectorOf(g)], ports: [this.portOf(this, c.to.port)] });
      }
    }
    const metrics = dir.metricsEndpoints();
    for (const m of metrics.filter((e) => e.pods === this)) {
      for (const g of dir.podGroups().filter((x) => x.scrapesMetrics)) ingress.push({ peers: [this.selectorOf(g)], ports: [this.portOf(this, m.port)] });
    }
    const egress: K8sRule[] = [
      {
        peers: [{ namespaceSelector: nsSelector(CLUSTER_DNS.namespace), podSelector: { matchLabels: { ...CLUSTER_DNS.labels } } }],
        ports: [
          { port: CLUSTER_DNS.port, protocol: 'UDP' },
          { port: CLUSTER_DNS.port, protocol: 'TCP' },
        ],
      },
    ];
    for (const c of this._egress) {
      if ('entity' in c.to) continue;
      const target = dir.podGroup(c.to.component, c.to.pods);
      if (!target) continue; // reported by validate()
      egress.push({ peers: [this.selectorOf(target)], ports: [this.portOf(target, c.to.port)] });
    }
    if (this._scrapes) for (const m of metrics) egress.push({ peers: [this.selectorOf(m.pods)], ports: [this.portOf(m.pods, m.port)] });
    return {
      podSelector: { matchLabels: { ...this.labels } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: compact(ingress),
      egress: compact(egress).map((r) => ({ to: r.from, ports: r.ports })),
    };
  }

  /** Egress to and ingress from Cilium entities (the API server, the world by FQDN), which NetworkPolicy cannot express. */
  private ciliumPolicySpec(): Record<string, unknown> {
    const ingress = this._entityIngress.map((i) => {
      const p = this.port(i.port);
      return { fromEntities: [i.entity], toPorts: [{ ports: [{ port: String(p.port), protocol: p.protocol ?? 'TCP' }] }] };
    });
    const uniqueIngress = [...new Map(ingress.map((r) => [JSON.stringify(r), r])).entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, r]) => r);
    const rules = this._egress
      .filter((c): c is Connection & { to: Extract<Peer, { entity: Entity }> } => 'entity' in c.to)
      .map((c) => {
        const toPorts = [{ ports: c.to.ports.map((p) => ({ port: String(p.port), protocol: p.protocol ?? 'TCP' })) }];
        return c.to.fqdns && c.to.fqdns.length > 0 ? { toFQDNs: c.to.fqdns.map((f) => ({ matchName: f })), toPorts } : { toEntities: [c.to.entity], toPorts };
      });
    const unique = [...new Map(rules.map((r) => [JSON.stringify(r), r])).entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, r]) => r);
    const reasons = [...new Set([...this._egress.filter((c) => 'entity' in c.to).map((c) => c.reason), ...this._entityIngress.map((i) => i.reason)])];
    return {
      description: `Traffic of ${this.owner.id}/${this.name} with Cilium entities: ${reasons.join('; ')}`,
      endpointSelector: { matchLabels: { ...this.labels } },
      ...(uniqueIngress.length > 0 ? { ingress: uniqueIngress } : {}),
      ...(unique.length > 0 ? { egress: unique } : {}),
    };
  }
}
