/** Only pods placed on a GPU pool request GPUs. */
import { GPU_POOL } from '../../../constructs/kit/gpu.js';

/** The effect of a dedicated pool's taint (constructs/kit/gpu.ts: poolTaint). */
const TAINT_EFFECT = 'NoSchedule';
import { POD_KINDS } from '../../kinds.js';
import type { NamedExpression, PolicyRule } from '../../rule.js';
import { POD_VARIABLES } from '../pod-spec.js';

const gpu = `'${GPU_POOL.resource}'`;
const asks = (side: string) => `(has(c.resources.${side}) && ${gpu} in c.resources.${side} && quantity(string(c.resources.${side}[${gpu}])).isGreaterThan(quantity('0')))`;
const gpuContainers: NamedExpression = {
  name: 'gpuContainers',
  expression: `variables.containers.filter(c, has(c.resources) && (${asks('limits')} || ${asks('requests')}))`,
};
const label = `'${GPU_POOL.poolLabel}'`;
const onPool = `has(variables.podSpec.nodeSelector) && ${label} in variables.podSpec.nodeSelector && variables.podSpec.nodeSelector[${label}] in params.data.gpuPools.split(' ').filter(p, p != '')`;
const tolerates = `has(variables.podSpec.tolerations) && variables.podSpec.tolerations.exists(t, has(t.key) && t.key == '${GPU_POOL.taintKey}' && (!has(t.effect) || t.effect == '${TAINT_EFFECT}'))`;

/** gpu/pool-placement */
export const rule: PolicyRule = {
  id: 'gpu/pool-placement',
  pack: 'gpu',
  message: 'A pod requests GPUs without being placed on one of the profile\'s GPU pools.',
  severity: 'error',
  match: POD_KINDS,
  variables: [...POD_VARIABLES, gpuContainers],
  expression: `size(variables.gpuContainers) == 0 || ((${onPool}) && (${tolerates}))`,
  messageExpression: `'containers requesting ${GPU_POOL.resource}: ' + variables.gpuContainers.map(c, c.name).join(', ') + '; the pod needs nodeSelector ${GPU_POOL.poolLabel} naming a pool of the profile (' + params.data.gpuPools + ') and a toleration of ${GPU_POOL.taintKey}:${TAINT_EFFECT}'`,
  field: '{pod}.nodeSelector|tolerations|containers[*].resources',
  params: ['gpuPools'],
  libraries: ['quantity', 'strings'],
  controls: ['sc-6', 'cm-6'],
  rationale:
    "GPUs are scarce and reserved: the GPU pools of the profile carry the node label and the taint (the distribution component sets them on the pool's nodes), and a pod that asks for a GPU must select a pool by name and tolerate its taint, so it lands where the profile put GPUs (resource availability, SC-6) and nothing else competes for them. A request of 0 is not a request (compared with the Kubernetes quantity library). On a profile without GPU pools no pod may request one.",
};
