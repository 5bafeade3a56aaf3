/** No host ports (Pod Security Standards, baseline). */
import { POD_KINDS } from '../../kinds.js';
import type { PolicyRule } from '../../rule.js';
import { namesWhere, POD_VARIABLES } from '../pod-spec.js';

const hostPort = 'has(c.ports) && c.ports.exists(p, has(p.hostPort) && p.hostPort != 0)';

/** pod-security/host-ports */
export const rule: PolicyRule = {
  id: 'pod-security/host-ports',
  pack: 'pod-security',
  message: "A container binds a port on the node's address.",
  severity: 'error',
  match: POD_KINDS,
  variables: POD_VARIABLES,
  expression: `!variables.allContainers.exists(c, ${hostPort})`,
  messageExpression: `'containers with a hostPort: ' + ${namesWhere('variables.allContainers', hostPort)}`,
  field: '{pod}.containers[*].ports[*].hostPort',
  params: [],
  libraries: ['strings'],
  controls: ['sc-7', 'cm-7'],
  rationale: "A host port opens the workload on the node's address, outside the Services and network policies that bound every other flow (SC-7).",
};
