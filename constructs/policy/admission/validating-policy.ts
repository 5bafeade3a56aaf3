/**
 * A rule as a ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1,
 * Kubernetes 1.30): its kinds, match conditions, variables, expression and
 * message, word for word, after one condition of the cluster's own: the
 * object is one Sovra delivers (it carries `app.kubernetes.io/managed-by:
 * sovra`, or Helm installed it from a release Sovra declares). Objects
 * controllers and operators create (Pods of a Deployment, a Cluster's
 * StatefulSet) carry neither: their templates were judged where they are
 * written, and Pod Security Admission judges every pod.
 */
import { LABELS } from '../../kit/component.js';
import type { MatchKind, PolicyRule } from '../../../policies/rule.js';

/** The match condition every emitted policy starts with (the synth judges exactly its own output, so it does not need it). */
export const DELIVERED_BY_SOVRA = {
  name: 'delivered-by-sovra',
  expression:
    `(has(object.metadata.labels) && '${LABELS.managedBy}' in object.metadata.labels && object.metadata.labels['${LABELS.managedBy}'] == 'sovra')` +
    " || (has(object.metadata.annotations) && 'meta.helm.sh/release-name' in object.metadata.annotations && object.metadata.annotations['meta.helm.sh/release-name'] in params.data.releases.split(' '))",
} as const;

/** Operations the policies judge. */
export const OPERATIONS = ['CREATE', 'UPDATE'] as const;

/** Name of the policy (and binding) of a rule: `sovra-<pack>-<name>`. */
export function policyName(rule: PolicyRule): string {
  return `sovra-${rule.id.replace('/', '-')}`;
}

/** Resource rules of the kinds a rule matches, one per API group. */
export function resourceRules(match: readonly MatchKind[] | 'all'): Array<Record<string, unknown>> {
  if (match === 'all') return [{ apiGroups: ['*'], apiVersions: ['*'], resources: ['*'], operations: [...OPERATIONS] }];
  const groups = new Map<string, { versions: Set<string>; resources: Set<string> }>();
  for (const m of match) {
    const g = groups.get(m.group) ?? { versions: new Set(), resources: new Set() };
    m.versions.forEach((v) => g.versions.add(v));
    g.resources.add(m.resource);
    groups.set(m.group, g);
  }
  return [...groups.entries()].map(([group, g]) => ({ apiGroups: [group], apiVersions: [...g.versions].sort(), resources: [...g.resources].sort(), operations: [...OPERATIONS] }));
}

const quote = (s: string) => `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;

/** The `spec` of the ValidatingAdmissionPolicy of `rule`. */
export function validatingPolicySpec(rule: PolicyRule): Record<string, unknown> {
  const head = `${rule.id}: ${rule.message} Field: ${rule.field}. Controls: ${rule.controls.join(', ')}.`;
  return {
    failurePolicy: 'Fail',
    paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
    matchConstraints: { resourceRules: resourceRules(rule.match) },
    matchConditions: [DELIVERED_BY_SOVRA, ...(rule.matchConditions ?? [])].map((c) => ({ name: c.name, expression: c.expression })),
    ...(rule.variables?.length ? { variables: rule.variables.map((v) => ({ name: v.name, expression: v.expression })) } : {}),
    validations: [
      {
        expression: rule.expression,
        message: head,
        ...(rule.messageExpression ? { messageExpression: `${quote(`${head} `)} + (${rule.messageExpression})` } : {}),
        reason: 'Forbidden',
      },
    ],
  };
}
