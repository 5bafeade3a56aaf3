/** Every container runs as a non-root user (Pod Security Standards, restricted). */
import { POD_KINDS } from '../../kinds.js';
import type { PolicyRule } from '../../rule.js';
import { namesWhere, POD_VARIABLES } from '../pod-spec.js';

// The container's setting wins over the pod's; either way it must say true, and no level may pin uid 0.
const nonRoot =
  '((has(c.securityContext) && has(c.securityContext.runAsNonRoot)) ? c.securityContext.runAsNonRoot == true : (has(variables.podSecurityContext.runAsNonRoot) && variables.podSecurityContext.runAsNonRoot == true))' +
  ' && !(has(c.securityContext) && has(c.securityContext.runAsUser) && c.securityContext.runAsUser == 0)';
const podRoot = '(has(variables.podSecurityContext.runAsUser) && variables.podSecurityContext.runAsUser == 0)';

/** pod-security/run-as-non-root */
export const rule: PolicyRule = {
  id: 'pod-security/run-as-non-root',
  pack: 'pod-security',
  message: 'A container may run as root (runAsNonRoot is not true, or runAsUser is 0).',
  severity: 'error',
  match: POD_KINDS,
  variables: POD_VARIABLES,
  expression: `!${podRoot} && variables.allContainers.all(c, ${nonRoot})`,
  messageExpression: `${podRoot} ? 'the pod sets runAsUser 0' : 'may run as root: ' + ${namesWhere('variables.allContainers', `!(${nonRoot})`)}`,
  field: '{pod}.securityContext.runAsNonRoot|containers[*].securityContext.runAsNonRoot',
  params: [],
  libraries: ['strings'],
  controls: ['ac-6'],
  rationale: 'Root in a container is root on the node as soon as any other boundary fails; the kubelet refuses to start an image whose user is root when runAsNonRoot is true.',
};
