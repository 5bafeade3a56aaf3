/** Workloads run only in namespaces a default-deny network policy covers. */
import { POD_KINDS } from '../../kinds.js';
import type { PolicyRule } from '../../rule.js';

/** network/default-deny */
export const rule: PolicyRule = {
  id: 'network/default-deny',
  pack: 'network',
  message: 'The workload runs in a namespace that no default-deny network policy covers.',
  severity: 'error',
  match: POD_KINDS,
  expression: "has(object.metadata.namespace) && object.metadata.namespace in params.data.defaultDenyNamespaces.split(' ')",
  messageExpression: "'namespace ' + (has(object.metadata.namespace) ? object.metadata.namespace : '(none)') + ' has no default deny'",
  field: 'metadata.namespace',
  params: ['defaultDenyNamespaces'],
  libraries: ['strings'],
  controls: ['sc-7', 'ac-4'],
  rationale:
    "Allow-lists only mean something over a default deny. Which namespaces one covers is computed from the output once per synth (a NetworkPolicy selecting every pod of its namespace for ingress and egress, or a Cilium policy whose endpoint selector spans namespaces with both directions) and handed to the rule as a parameter, since an admission rule sees one object at a time; in the cluster the list is the one the synth computed. kube-system is the distribution's: Cilium's cluster-wide default deny leaves it out so DNS and the CNI work before any policy, and the pods Sovra runs there carry an exception.",
};
