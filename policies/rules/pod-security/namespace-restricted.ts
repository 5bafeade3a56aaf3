/** Every namespace enforces the restricted Pod Security level, unless its component states why it cannot. */
import { NAMESPACE_KIND } from '../../kinds.js';
import type { PolicyRule } from '../../rule.js';

const label = "'pod-security.kubernetes.io/enforce'";

/** pod-security/namespace-restricted */
export const rule: PolicyRule = {
  id: 'pod-security/namespace-restricted',
  pack: 'pod-security',
  message: 'The namespace does not enforce the restricted Pod Security level.',
  severity: 'error',
  match: NAMESPACE_KIND,
  expression: `has(object.metadata.labels) && ${label} in object.metadata.labels && object.metadata.labels[${label}] == 'restricted'`,
  messageExpression: `'pod-security.kubernetes.io/enforce is ' + ((has(object.metadata.labels) && ${label} in object.metadata.labels) ? object.metadata.labels[${label}] : 'not set')`,
  field: 'metadata.labels.pod-security.kubernetes.io/enforce',
  params: [],
  libraries: [],
  controls: ['ac-6', 'cm-6'],
  rationale:
    "Pod Security Admission is the cluster's own check of every pod, including those operators create from custom resources, which these rules do not see. A component whose pods cannot be restricted (a CNI, a device plugin) declares its namespace's level with the reason (ComponentInfo.podSecurity), which becomes an exception of this rule.",
};
