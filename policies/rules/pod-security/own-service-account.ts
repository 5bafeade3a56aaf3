/** Every pod runs under a ServiceAccount of its own, never `default` (Sovra's baseline). */
import { POD_KINDS } from '../../kinds.js';
import type { PolicyRule } from '../../rule.js';
import { POD_VARIABLES } from '../pod-spec.js';

/** pod-security/own-service-account */
export const rule: PolicyRule = {
  id: 'pod-security/own-service-account',
  pack: 'pod-security',
  message: 'The pod runs under the namespace\'s default ServiceAccount.',
  severity: 'error',
  match: POD_KINDS,
  variables: POD_VARIABLES,
  expression: "has(variables.podSpec.serviceAccountName) && !(variables.podSpec.serviceAccountName in ['', 'default'])",
  field: '{pod}.serviceAccountName',
  params: [],
  libraries: [],
  controls: ['ac-6', 'ac-2'],
  rationale: 'A ServiceAccount per workload is its identity: RBAC, the mesh (SPIFFE IDs) and audit records name it; pods sharing `default` cannot be told apart or granted less than each other.',
};
