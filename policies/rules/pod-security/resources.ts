/** Every container requests and limits CPU and memory, each request at most its limit (Sovra's baseline). */
import { POD_KINDS } from '../../kinds.js';
import type { PolicyRule } from '../../rule.js';
import { namesWhere, POD_VARIABLES } from '../pod-spec.js';

const q = (side: string) => `string(c.resources.${side}[r])`;
const bad =
  '!(has(c.resources) && has(c.resources.requests) && has(c.resources.limits)' +
  ` && ['cpu', 'memory'].all(r, r in c.resources.requests && r in c.resources.limits && isQuantity(${q('requests')}) && isQuantity(${q('limits')})` +
  ` && quantity(${q('requests')}).compareTo(quantity(${q('limits')})) <= 0))`;

/** pod-security/resources */
export const rule: PolicyRule = {
  id: 'pod-security/resources',
  pack: 'pod-security',
  message: 'A container does not request and limit both CPU and memory (or requests more than its limit).',
  severity: 'error',
  match: POD_KINDS,
  variables: POD_VARIABLES,
  expression: `!variables.containers.exists(c, ${bad})`,
  messageExpression: `'requests and limits of cpu and memory missing or inverted: ' + ${namesWhere('variables.containers', bad)}`,
  field: '{pod}.containers[*].resources',
  params: [],
  libraries: ['quantity', 'strings'],
  controls: ['sc-6', 'sc-5'],
  rationale:
    'Limits keep one workload from starving the others on a node (resource availability, SC-6; denial of service, SC-5); requests let the scheduler place it where the capacity is. Quantities are compared with the Kubernetes quantity library, so 500m and 0.5 are equal.',
};
