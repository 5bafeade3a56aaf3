/** Every container runs under the RuntimeDefault (or a Localhost) seccomp profile (Pod Security Standards, restricted). */
import { POD_KINDS } from '../../kinds.js';
import type { PolicyRule } from '../../rule.js';
import { namesWhere, POD_VARIABLES } from '../pod-spec.js';

const confined = "['RuntimeDefault', 'Localhost']";
const bad =
  `!((has(c.securityContext) && has(c.securityContext.seccompProfile)) ? c.securityContext.seccompProfile.type in ${confined}` +
  ` : (has(variables.podSecurityContext.seccompProfile) && variables.podSecurityContext.seccompProfile.type in ${confined}))`;

/** pod-security/seccomp */
export const rule: PolicyRule = {
  id: 'pod-security/seccomp',
  pack: 'pod-security',
  message: 'A container runs without a seccomp profile (RuntimeDefault or Localhost).',
  severity: 'error',
  match: POD_KINDS,
  variables: POD_VARIABLES,
  expression: `!variables.allContainers.exists(c, ${bad})`,
  messageExpression: `'no RuntimeDefault or Localhost seccomp profile: ' + ${namesWhere('variables.allContainers', bad)}`,
  field: '{pod}.securityContext.seccompProfile.type|containers[*].securityContext.seccompProfile.type',
  params: [],
  libraries: ['strings'],
  controls: ['sc-39'],
  rationale: "The seccomp filter bounds the system calls a compromised process can make into the node's kernel: the process isolation SC-39 asks for.",
};
