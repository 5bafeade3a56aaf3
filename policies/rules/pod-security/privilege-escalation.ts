/** Every container sets allowPrivilegeEscalation: false (Pod Security Standards, restricted). */
import { POD_KINDS } from '../../kinds.js';
import type { PolicyRule } from '../../rule.js';
import { namesWhere, POD_VARIABLES } from '../pod-spec.js';

const escalates = '!(has(c.securityContext) && has(c.securityContext.allowPrivilegeEscalation) && c.securityContext.allowPrivilegeEscalation == false)';

/** pod-security/privilege-escalation */
export const rule: PolicyRule = {
  id: 'pod-security/privilege-escalation',
  pack: 'pod-security',
  message: 'A container may gain more privileges than its process started with (allowPrivilegeEscalation is not false).',
  severity: 'error',
  match: POD_KINDS,
  variables: POD_VARIABLES,
  expression: `!variables.allContainers.exists(c, ${escalates})`,
  messageExpression: `'allowPrivilegeEscalation is not false in: ' + ${namesWhere('variables.allContainers', escalates)}`,
  field: '{pod}.containers[*].securityContext.allowPrivilegeEscalation',
  params: [],
  libraries: ['strings'],
  controls: ['ac-6'],
  rationale: 'Without no_new_privs a setuid binary or file capability inside the image raises the process above what the pod was granted (least privilege, AC-6).',
};
