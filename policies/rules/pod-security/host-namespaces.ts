/** No host network, PID or IPC namespace (Pod Security Standards, baseline). */
import { POD_KINDS } from '../../kinds.js';
import type { PolicyRule } from '../../rule.js';
import { POD_VARIABLES } from '../pod-spec.js';

const on = (f: string) => `(has(variables.podSpec.${f}) && variables.podSpec.${f} == true)`;

/** pod-security/host-namespaces */
export const rule: PolicyRule = {
  id: 'pod-security/host-namespaces',
  pack: 'pod-security',
  message: "The pod shares the node's network, PID or IPC namespace.",
  severity: 'error',
  match: POD_KINDS,
  variables: POD_VARIABLES,
  expression: `!${on('hostNetwork')} && !${on('hostPID')} && !${on('hostIPC')}`,
  messageExpression: `'shares the node namespaces: ' + [${on('hostNetwork')} ? 'hostNetwork' : '', ${on('hostPID')} ? 'hostPID' : '', ${on('hostIPC')} ? 'hostIPC' : ''].filter(s, s != '').join(', ')`,
  field: '{pod}.hostNetwork|hostPID|hostIPC',
  params: [],
  libraries: ['strings'],
  controls: ['ac-6', 'sc-39'],
  rationale: "A pod in the node's namespaces sees the node's interfaces and processes and bypasses network policy; process isolation (SC-39) holds only when pods keep their own namespaces.",
};
