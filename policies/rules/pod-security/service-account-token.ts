/** No Kubernetes API token in the pod unless its component declared the need (Sovra's baseline). */
import { POD_KINDS } from '../../kinds.js';
import type { PolicyRule } from '../../rule.js';
import { POD_VARIABLES } from '../pod-spec.js';

/** pod-security/service-account-token */
export const rule: PolicyRule = {
  id: 'pod-security/service-account-token',
  pack: 'pod-security',
  message: 'The pod gets a Kubernetes API token (automountServiceAccountToken is not false).',
  severity: 'error',
  match: POD_KINDS,
  variables: POD_VARIABLES,
  expression: 'has(variables.podSpec.automountServiceAccountToken) && variables.podSpec.automountServiceAccountToken == false',
  field: '{pod}.automountServiceAccountToken',
  params: [],
  libraries: [],
  controls: ['ac-6', 'ia-5'],
  rationale:
    "A token mounted into a pod that never calls the API server is a credential for whoever compromises it. The pod spec's setting is the effective one (it overrides the ServiceAccount's). A workload that calls the API (an operator, a CNI agent) declares it as an exception with the reason: HardenedWorkload's mountServiceAccountToken, or the component's exception for a chart's pods.",
};
