/**
 * Which namespaces a default deny covers, read from network policies as
 * Kubernetes and Cilium enforce them.
 */
import { describe, expect, it } from 'vitest';
import { defaultDenyNamespaces } from './facts.js';

const np = (ns: string, podSelector: object, policyTypes: string[]) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: ns }, spec: { podSelector, policyTypes } });
const ccnp = (endpointSelector: object, dirs: Record<string, unknown>) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'd' }, spec: { endpointSelector, ...dirs } });
const all = ['a', 'b', 'kube-system'];

describe('defaultDenyNamespaces', () => {
  it('a NetworkPolicy selecting every pod for ingress and egress covers its namespace; one selecting some pods, or one direction, does not', () => {
    expect(defaultDenyNamespaces([np('a', {}, ['Ingress', 'Egress'])], all)).toEqual(['a']);
    expect(defaultDenyNamespaces([np('a', { matchLabels: { app: 'x' } }, ['Ingress', 'Egress'])], all)).toEqual([]);
    expect(defaultDenyNamespaces([np('a', {}, ['Ingress'])], all)).toEqual([]);
  });

  it("Cilium's cluster-wide deny covers the namespaces its selector spans, with rules in both directions", () => {
    const sel = { matchExpressions: [{ key: 'io.kubernetes.pod.namespace', operator: 'NotIn', values: ['kube-system'] }] };
    expect(defaultDenyNamespaces([ccnp(sel, { ingress: [{ fromEntities: ['host'] }], egress: [] })], all)).toEqual(['a', 'b']);
    expect(defaultDenyNamespaces([ccnp({}, { ingress: [], egress: [] })], all)).toEqual(all.slice().sort());
    // Only ingress rules: egress stays open.
    expect(defaultDenyNamespaces([ccnp(sel, { ingress: [] })], all)).toEqual([]);
    // A selector by pod labels does not cover a namespace; nor does a policy that turns default deny off.
    expect(defaultDenyNamespaces([ccnp({ matchLabels: { app: 'x' } }, { ingress: [], egress: [] })], all)).toEqual([]);
    expect(defaultDenyNamespaces([ccnp({}, { ingress: [], egress: [], enableDefaultDeny: { ingress: false, egress: false } })], all)).toEqual([]);
  });
});
