/** Where the mesh is on, PeerAuthentication keeps mutual TLS STRICT (mesh-wide: STRICT; elsewhere STRICT or inherited). */
import { PEER_AUTHENTICATION_KIND } from '../../kinds.js';
import type { PolicyRule } from '../../rule.js';

const meshWide = "(has(object.metadata.namespace) && object.metadata.namespace == params.data.meshRootNamespace && !has(object.spec.selector))";
const mode = "(has(object.spec.mtls) && has(object.spec.mtls.mode) ? object.spec.mtls.mode : 'UNSET')";
const portsOk = "(!has(object.spec.portLevelMtls) || object.spec.portLevelMtls.all(p, !('mode' in object.spec.portLevelMtls[p]) || object.spec.portLevelMtls[p].mode in ['STRICT', 'UNSET']))";

/** mesh/strict-mtls */
export const rule: PolicyRule = {
  id: 'mesh/strict-mtls',
  pack: 'mesh',
  message: 'A PeerAuthentication lets workloads accept plain text or optional TLS where the mesh is on.',
  severity: 'error',
  match: PEER_AUTHENTICATION_KIND,
  expression: `params.data.mesh != 'istio' || ((${meshWide} ? ${mode} == 'STRICT' : ${mode} in ['STRICT', 'UNSET']) && ${portsOk})`,
  messageExpression: `'mtls.mode ' + ${mode} + (${meshWide} ? ' on the mesh-wide policy (must be STRICT)' : '') + (${portsOk} ? '' : ', and a port-level mode weaker than STRICT')`,
  field: 'spec.mtls.mode|spec.portLevelMtls',
  params: ['mesh', 'meshRootNamespace'],
  libraries: [],
  controls: ['sc-8', 'sc-8.1', 'ia-3'],
  rationale:
    "Where the profile installs the mesh, every workload-to-workload connection is mutually authenticated and encrypted (SC-8, IA-3): the mesh-wide policy in the root namespace is STRICT, and no namespace or workload policy weakens it (UNSET inherits). Whether the mesh is on is read from the platform (the parameter `mesh`): with no mesh component the rule checks nothing, and says so here.",
};
