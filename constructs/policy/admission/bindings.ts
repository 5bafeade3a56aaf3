/**
 * The bindings of one rule: its validation actions (Deny, or Warn and
 * Audit) and its waivers as exclusions, so the cluster admits exactly what
 * the synth admitted. `excludeResourceRules` can name objects only by
 * resource and name, in every namespace at once, so a waiver of a
 * namespaced object is made exact by splitting the binding by namespace:
 * one binding for every namespace without waivers of the rule (namespace
 * selector NotIn those), and one per namespace with waivers (selector In
 * it), which excludes exactly the names waived there.
 */
import type { PolicyRule } from '../../../policies/rule.js';
import type { Waiver } from '../../../policies/waivers.js';
import { POLICY_PARAMS } from '../../../policies/params.js';
import { OPERATIONS, policyName } from './validating-policy.js';

/** What a failed rule does in the cluster. */
export type ValidationActions = ReadonlyArray<'Deny' | 'Warn' | 'Audit'>;

/** The actions of `rule` under the profile's enforcement. */
export function validationActions(rule: PolicyRule, enforcement: 'deny' | 'warn'): ValidationActions {
  return rule.severity === 'error' && enforcement === 'deny' ? ['Deny'] : ['Warn', 'Audit'];
}

/** The plural resource of a kind, as the API names it (`NetworkPolicy` → `networkpolicies`). */
export function pluralOf(kind: string): string {
  const k = kind.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(k)) return `${k}es`;
  if (/[^aeiou]y$/.test(k)) return `${k.slice(0, -1)}ies`;
  return `${k}s`;
}

/** Resource rules excluding the waived objects of `waivers` (by kind and name). */
function exclusions(rule: PolicyRule, waivers: readonly Waiver[]): Array<Record<string, unknown>> {
  const byKind = new Map<string, Set<string>>();
  for (const w of waivers) {
    if (w.object.selector) continue; // excluded by the binding's object selector
    const names = byKind.get(w.object.kind) ?? new Set<string>();
    names.add(w.object.name);
    byKind.set(w.object.kind, names);
  }
  return [...byKind.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([kind, names]) => {
      const m = rule.match === 'all' ? undefined : rule.match.find((x) => x.kind === kind);
      return {
        apiGroups: m ? [m.group] : ['*'],
        apiVersions: m ? [...m.versions] : ['*'],
        resources: [m ? m.resource : pluralOf(kind)],
        operations: [...OPERATIONS],
        resourceNames: [...names].sort(),
      };
    });
}

const NAME_LABEL = 'kubernetes.io/metadata.name';

/** The bindings of `rule`: names and specs, deterministic. */
export function bindingSpecs(rule: PolicyRule, waivers: readonly Waiver[], enforcement: 'deny' | 'warn'): Array<{ name: string; spec: Record<string, unknown> }> {
  const mine = waivers.filter((w) => w.rule === rule.id);
  const cluster = mine.filter((w) => !w.object.namespace);
  const byNamespace = new Map<string, Waiver[]>();
  for (const w of mine) if (w.object.namespace) byNamespace.set(w.object.namespace, [...(byNamespace.get(w.object.namespace) ?? []), w]);
  const namespaces = [...byNamespace.keys()].sort();
  const name = policyName(rule);
  const common = {
    policyName: name,
    paramRef: { name: POLICY_PARAMS.name, namespace: POLICY_PARAMS.namespace, parameterNotFoundAction: 'Deny' },
    validationActions: [...validationActions(rule, enforcement)],
  };
  const base = {
    ...common,
    matchResources: <Record<string, unknown>>{
      ...(namespaces.length > 0 ? { namespaceSelector: { matchExpressions: [{ key: NAME_LABEL, operator: 'NotIn', values: namespaces }] } } : {}),
      ...(cluster.length > 0 ? { excludeResourceRules: exclusions(rule, cluster) } : {}),
    },
  };
  const out = [{ name, spec: base }];
  for (const ns of namespaces) {
    // Namespaced objects of ns, and the Namespace ns itself (which the base binding's selector leaves out).
    const excluded = [...byNamespace.get(ns)!, ...cluster.filter((w) => w.object.kind === 'Namespace' && w.object.name === ns)];
    // Objects waived by a label: the binding of their namespace skips objects carrying it (of the rule's kinds).
    const selected = excluded.flatMap((w) => Object.entries(w.object.selector ?? {}));
    const objectSelector = selected.length > 0 ? { objectSelector: { matchExpressions: [...new Map(selected.map(([k, v]) => [`${k}=${v}`, { key: k, operator: 'NotIn', values: [v] }])).values()] } } : {};
    out.push({
      name: `${name}-ns-${ns}`,
      spec: {
        ...common,
        matchResources: {
          namespaceSelector: { matchLabels: { [NAME_LABEL]: ns } },
          ...objectSelector,
          resourceRules: [
            { apiGroups: ['*'], apiVersions: ['*'], resources: ['*'], operations: [...OPERATIONS], scope: 'Namespaced' },
            { apiGroups: [''], apiVersions: ['v1'], resources: ['namespaces'], operations: [...OPERATIONS], scope: 'Cluster' },
          ],
          excludeResourceRules: exclusions(rule, excluded),
        },
      },
    });
  }
  return out;
}
