/** Every container has a read-only root file system (Sovra's baseline beyond restricted). */
import { POD_KINDS } from '../../kinds.js';
import type { PolicyRule } from '../../rule.js';
import { namesWhere, POD_VARIABLES } from '../pod-spec.js';

const writable = '!(has(c.securityContext) && has(c.securityContext.readOnlyRootFilesystem) && c.securityContext.readOnlyRootFilesystem == true)';

/** pod-security/read-only-root-fs */
export const rule: PolicyRule = {
  id: 'pod-security/read-only-root-fs',
  pack: 'pod-security',
  message: 'A container can write its root file system (readOnlyRootFilesystem is not true).',
  severity: 'error',
  match: POD_KINDS,
  variables: POD_VARIABLES,
  expression: `!variables.containers.exists(c, ${writable})`,
  messageExpression: `'writable root file system: ' + ${namesWhere('variables.containers', writable)}`,
  field: '{pod}.containers[*].securityContext.readOnlyRootFilesystem',
  params: [],
  libraries: ['strings'],
  controls: ['cm-7', 'si-7'],
  rationale:
    "An attacker who gets code execution cannot change the image's binaries or drop tools into it; writable paths are explicit volumes. A workload that must write its root carries an exception with the reason (HardenedWorkload's allowWritableRootFs). Ephemeral debug containers are not judged: they cannot set a security context of their own kind.",
};
