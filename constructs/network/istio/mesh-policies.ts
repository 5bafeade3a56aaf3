/**
 * The mesh's rules, derived from the platform's peer graph (the same
 * declarations the NetworkPolicies come from): which namespaces are in the
 * mesh, the workload identity of each pod group, and for every pod group
 * that others connect to, the identities allowed on each of its ports.
 * Pure functions of the platform; the Istio component turns them into
 * objects once every component exists.
 */
import { SovraError } from '../../../core/errors.js';
import type { Component, PlatformDirectory } from '../../kit/component.js';
import type { PodGroup } from '../../kit/network.js';
import { NAMESPACES } from '../../kit/shared-names.js';
import { TRUST_DOMAIN } from './values.js';

/** A component the profile keeps out of the mesh, with the reason. */
export interface OutsideMesh {
  readonly component: string;
  readonly reason: string;
}

/** Which components have their namespace in the mesh, and why the others do not. */
export interface Membership {
  /** Components whose namespace joins the mesh, in construct order. */
  readonly members: readonly Component[];
  /** The namespaces of `members`, sorted. */
  readonly namespaces: readonly string[];
  /** Components left out, each with the reason (for the SSP and the report). */
  readonly excluded: ReadonlyArray<{ readonly component: string; readonly reason: string }>;
}

/**
 * Decides mesh membership. Out of the mesh: the mesh itself (istiod must not
 * depend on the proxies it configures; its gateway is injected by its own
 * template), components without a Namespace of their own (kube-system: the
 * CNI and other node-level agents, exempt from Pod Security), components
 * whose Namespace is not restricted (node agents and device plugins: they
 * run on the host network or with host privileges, where a sidecar can
 * neither capture traffic nor be admitted next to them), and those the
 * profile names in `outsideMesh`.
 */
export function meshMembership(platform: PlatformDirectory, mesh: Component, outside: readonly OutsideMesh[]): Membership {
  const installed = new Set(platform.components.map((c) => c.node.id));
  for (const o of outside) {
    if (!installed.has(o.component)) {
      throw new SovraError('bad-profile', `components.istio.outsideMesh names component "${o.component}", which this profile does not install. Installed: ${[...installed].sort().join(', ')}.`);
    }
  }
  const members: Component[] = [];
  const excluded: Array<{ component: string; reason: string }> = [];
  for (const c of platform.components) {
    const id = c.node.id;
    const named = outside.find((o) => o.component === id);
    if (c === mesh) continue;
    if (!c.namespaceResource) excluded.push({ component: id, reason: `runs in ${c.info.namespace}, which holds the node-level agents and is exempt from Pod Security` });
    else if (c.info.namespace === NAMESPACES.istio) excluded.push({ component: id, reason: 'shares the mesh control plane namespace' });
    else if (c.info.podSecurity) excluded.push({ component: id, reason: `its namespace runs at Pod Security level ${c.info.podSecurity.level} (${c.info.podSecurity.reason}); such pods run with host privileges where a proxy cannot be trusted to capture their traffic` });
    else if (named) excluded.push({ component: id, reason: named.reason });
    else members.push(c);
  }
  return { members, namespaces: [...new Set(members.flatMap((c) => c.namespaces))].sort(), excluded };
}

/** How an AuthorizationPolicy names a source: its workload identity, or (without a service account) its namespace. */
export type SourceIdentity = { readonly principal: string } | { readonly namespace: string; readonly fallback: string };

/** The SPIFFE principal of a service account as Istio writes it (without `spiffe://`). */
export function principal(namespace: string, serviceAccount: string): string {
  return `${TRUST_DOMAIN}/ns/${namespace}/sa/${serviceAccount}`;
}

/**
 * The identity a source group presents in mTLS. A group that declares no
 * service account is named by its namespace instead (any workload of that
 * namespace): weaker, so the reason is kept and shown.
 */
export function identityOf(g: PodGroup): SourceIdentity {
  if (g.serviceAccount) return { principal: principal(g.namespace, g.serviceAccount) };
  return { namespace: g.namespace, fallback: `component "${g.owner.id}" (pods ${g.name}) declares no serviceAccount, so it is allowed by namespace ${g.namespace}` };
}

/** One inbound flow of a pod group: who connects, to which port, and why. */
export interface Inbound {
  readonly source: PodGroup;
  readonly port: number;
  readonly reason: string;
}

/** Every declared flow into `target`: peers on its ports and scrapers of its metrics endpoints (TCP only: mTLS carries TCP). */
export function inboundOf(target: PodGroup, dir: PlatformDirectory): Inbound[] {
  const out: Inbound[] = [];
  for (const g of dir.podGroups()) {
    for (const c of g.egress) {
      if ('entity' in c.to || c.to.component !== target.owner.id || c.to.pods !== target.name) continue;
      const p = target.ports[c.to.port];
      if (p && (p.protocol ?? 'TCP') === 'TCP') out.push({ source: g, port: p.port, reason: c.reason });
    }
  }
  for (const m of dir.metricsEndpoints().filter((e) => e.pods === target)) {
    const p = target.ports[m.port];
    if (!p || (p.protocol ?? 'TCP') !== 'TCP') continue;
    for (const s of dir.podGroups().filter((x) => x.scrapesMetrics)) out.push({ source: s, port: p.port, reason: `metrics scrape of ${m.path ?? '/metrics'}` });
  }
  return out;
}

type AuthRule = { from: Array<{ source: { principals: string[] } | { namespaces: string[] } }>; to: Array<{ operation: { ports: string[] } }> };

/** The ALLOW rules of `target`: one rule per set of target ports, naming the source identities that may reach exactly those (sorted). */
export function allowRules(inbound: readonly Inbound[]): { rules: AuthRule[]; fallbacks: string[] } {
  const byIdentity = new Map<string, { id: SourceIdentity; ports: Set<number> }>();
  for (const i of inbound) {
    const id = identityOf(i.source);
    const key = 'principal' in id ? `p:${id.principal}` : `n:${id.namespace}`;
    const e = byIdentity.get(key) ?? { id, ports: new Set<number>() };
    e.ports.add(i.port);
    byIdentity.set(key, e);
  }
  const entries = [...byIdentity.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  // One rule per distinct set of target ports, naming every identity allowed exactly those ports
  // (the same permissions as one rule per identity, and the policy stays within the CRD's 512 rules).
  const byPorts = new Map<string, { ports: string[]; principals: string[]; namespaces: string[] }>();
  for (const [, e] of entries) {
    const ports = [...e.ports].sort((a, b) => a - b).map(String);
    const key = ports.join(',');
    const g = byPorts.get(key) ?? { ports, principals: [], namespaces: [] };
    if ('principal' in e.id) g.principals.push(e.id.principal);
    else g.namespaces.push(e.id.namespace);
    byPorts.set(key, g);
  }
  return {
    rules: [...byPorts.values()].map((g) => ({
      from: [...(g.principals.length > 0 ? [{ source: { principals: g.principals } }] : []), ...(g.namespaces.length > 0 ? [{ source: { namespaces: g.namespaces } }] : [])],
      to: [{ operation: { ports: g.ports } }],
    })),
    fallbacks: [...new Set(entries.flatMap(([, e]) => ('fallback' in e.id ? [e.id.fallback] : [])))].sort(),
  };
}

/** A port of a meshed pod group that accepts plaintext, because a source outside the mesh connects to it. */
export interface PlaintextPort {
  readonly port: number;
  /** Who connects without a mesh identity, and why (sorted). */
  readonly sources: readonly string[];
}

/**
 * The ports of `target` that sources outside the mesh reach: pod groups the
 * mesh leaves out (node agents, components in outsideMesh) and Cilium
 * entities the group accepts (the API server calling a webhook). STRICT
 * mTLS would refuse them, so each such port is an explicit exception
 * (PERMISSIVE at port level, allowed without a principal); the
 * NetworkPolicy still admits only the declared sources at L3/L4.
 */
export function plaintextPorts(inbound: readonly Inbound[], target: PodGroup, meshed: (g: PodGroup) => boolean): PlaintextPort[] {
  const byPort = new Map<number, Set<string>>();
  const add = (port: number, who: string) => byPort.set(port, (byPort.get(port) ?? new Set<string>()).add(who));
  for (const i of inbound) if (!meshed(i.source)) add(i.port, `component "${i.source.owner.id}" (pods ${i.source.name}, namespace ${i.source.namespace}): ${i.reason}`);
  for (const e of target.entityIngress) {
    const p = target.port(e.port);
    if ((p.protocol ?? 'TCP') === 'TCP') add(p.port, `entity ${e.entity}: ${e.reason}`);
  }
  return [...byPort.entries()].sort(([a], [b]) => a - b).map(([port, who]) => ({ port, sources: [...who].sort() }));
}
