/** No privileged containers (Pod Security Standards, baseline and restricted). */
import { POD_KINDS } from '../../kinds.js';
import type { PolicyRule } from '../../rule.js';
import { namesWhere, POD_VARIABLES } from '../pod-spec.js';

const privileged = 'has(c.securityContext) && has(c.securityContext.privileged) && c.securityContext.privileged == true';

/** pod-security/privileged */
export const rule: PolicyRule = {
  id: 'pod-security/privileged',
  pack: 'pod-security',
  message: 'A container runs privileged.',
  severity: 'error',
  match: POD_KINDS,
  variables: POD_VARIABLES,
  expression: `!variables.allContainers.exists(c, ${privileged})`,
  messageExpression: `'privileged containers: ' + ${namesWhere('variables.allContainers', privileged)}`,
  field: '{pod}.containers[*].securityContext.privileged',
  params: [],
  libraries: ['strings'],
  controls: ['ac-6', 'cm-7'],
  rationale: 'A privileged container has every device and capability of the node; it defeats every other isolation the platform claims. Components that must (a CNI agent) carry a written exception.',
};
