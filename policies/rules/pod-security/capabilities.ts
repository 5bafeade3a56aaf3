/** Every container drops ALL capabilities and adds none but NET_BIND_SERVICE (Pod Security Standards, restricted). */
import { POD_KINDS } from '../../kinds.js';
import type { PolicyRule } from '../../rule.js';
import { namesWhere, POD_VARIABLES } from '../pod-spec.js';

const bad =
  "!(has(c.securityContext) && has(c.securityContext.capabilities) && has(c.securityContext.capabilities.drop) && 'ALL' in c.securityContext.capabilities.drop)" +
  " || (has(c.securityContext) && has(c.securityContext.capabilities) && has(c.securityContext.capabilities.add) && c.securityContext.capabilities.add.exists(a, a != 'NET_BIND_SERVICE'))";

/** pod-security/capabilities */
export const rule: PolicyRule = {
  id: 'pod-security/capabilities',
  pack: 'pod-security',
  message: 'A container keeps Linux capabilities (capabilities.drop lacks ALL, or it adds one other than NET_BIND_SERVICE).',
  severity: 'error',
  match: POD_KINDS,
  variables: POD_VARIABLES,
  expression: `!variables.allContainers.exists(c, ${bad})`,
  messageExpression: `'keeps or adds capabilities: ' + ${namesWhere('variables.allContainers', bad)}`,
  field: '{pod}.containers[*].securityContext.capabilities',
  params: [],
  libraries: ['strings'],
  controls: ['cm-7', 'ac-6'],
  rationale: 'Capabilities are root split into pieces; a workload keeps only the one restricted Pod Security allows (binding a low port), so least functionality (CM-7) holds at the kernel interface.',
};
