/** Only the volume types restricted Pod Security allows: no hostPath, no in-tree network volumes. */
import { POD_KINDS } from '../../kinds.js';
import type { PolicyRule } from '../../rule.js';
import { POD_VARIABLES } from '../pod-spec.js';

const allowed = "['name', 'configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']";
const bad = `v.exists(k, !(k in ${allowed}))`;

/** pod-security/volume-types */
export const rule: PolicyRule = {
  id: 'pod-security/volume-types',
  pack: 'pod-security',
  message: 'The pod mounts a volume type restricted Pod Security does not allow (hostPath, an in-tree network volume).',
  severity: 'error',
  match: POD_KINDS,
  variables: POD_VARIABLES,
  expression: `!has(variables.podSpec.volumes) || !variables.podSpec.volumes.exists(v, ${bad})`,
  messageExpression: `'volumes of a disallowed type: ' + variables.podSpec.volumes.filter(v, ${bad}).map(v, v.name).join(', ')`,
  field: '{pod}.volumes[*]',
  params: [],
  libraries: ['strings'],
  controls: ['cm-7'],
  rationale: "A hostPath volume reaches the node's file system (its kubelet credentials, container runtime socket); workloads keep to volumes the platform controls.",
};
