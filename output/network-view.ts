/**
 * The network view of the platform: every pod group and every flow the
 * peer declarations allow. The NetworkPolicies are derived from the same
 * declarations, so this is what the cluster allows and nothing more.
 */
import type { PodGroup, PortSpec } from '../constructs/kit/network.js';
import { objectId } from './evidence.js';
import type { FlowEnd, FlowView, NetworkView, PodGroupView } from './model.js';

function portText(p: PortSpec): string {
  return `${p.port}/${p.protocol ?? 'TCP'}`;
}

function groupEnd(g: PodGroup): FlowEnd {
  return { component: g.owner.id, pods: g.name, namespace: g.namespace };
}

/** The network view of `groups` (in platform order; flows in declaration order). */
export function networkView(groups: readonly PodGroup[]): NetworkView {
  const byKey = new Map(groups.map((g) => [`${g.owner.id}/${g.name}`, g]));
  const podGroups: PodGroupView[] = groups.map((g) => ({
    component: g.owner.id,
    name: g.name,
    namespace: g.namespace,
    ports: Object.entries(g.ports).map(([name, p]) => `${name} ${portText(p)}`),
    networkPolicy: objectId(g.networkPolicy),
  }));
  const flows: FlowView[] = [];
  for (const g of groups) {
    for (const c of g.egress) {
      if ('entity' in c.to) {
        flows.push({ from: groupEnd(g), to: { entity: c.to.entity }, ports: c.to.ports.map(portText).join(', '), ...(c.to.fqdns ? { fqdns: [...c.to.fqdns] } : {}), reason: c.reason });
      } else {
        const target = byKey.get(`${c.to.component}/${c.to.pods}`);
        // validate() has rejected unknown peers before any view is built.
        if (!target) throw new Error(`peer ${c.to.component}/${c.to.pods} of ${g.owner.id}/${g.name} does not exist`);
        flows.push({ from: groupEnd(g), to: groupEnd(target), ports: portText(target.port(c.to.port)), reason: c.reason });
      }
    }
    for (const i of g.entityIngress) flows.push({ from: { entity: i.entity }, to: groupEnd(g), ports: portText(g.port(i.port)), reason: i.reason });
  }
  return { podGroups, flows };
}
