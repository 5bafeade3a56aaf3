/** Where the mesh is on, DestinationRules for in-cluster hosts originate ISTIO_MUTUAL TLS. */
import { DESTINATION_RULE_KIND } from '../../kinds.js';
import type { PolicyRule } from '../../rule.js';

const tp = 'object.spec.trafficPolicy';
const topOk = `(!has(${tp}) || !has(${tp}.tls) || ${tp}.tls.mode == 'ISTIO_MUTUAL')`;
const portsOk = `(!has(${tp}) || !has(${tp}.portLevelSettings) || ${tp}.portLevelSettings.all(s, !has(s.tls) || s.tls.mode == 'ISTIO_MUTUAL'))`;

/** mesh/destination-mtls */
export const rule: PolicyRule = {
  id: 'mesh/destination-mtls',
  pack: 'mesh',
  message: 'A DestinationRule sends in-cluster traffic without Istio mutual TLS where the mesh is on.',
  severity: 'error',
  match: DESTINATION_RULE_KIND,
  matchConditions: [
    { name: 'in-cluster-host', expression: "!object.spec.host.contains('.') || object.spec.host.endsWith('.svc') || object.spec.host.contains('.svc.')" },
  ],
  expression: `params.data.mesh != 'istio' || (${topOk} && ${portsOk})`,
  messageExpression: `'host ' + object.spec.host + ': tls mode other than ISTIO_MUTUAL' + (${topOk} ? ' on a port-level setting' : '')`,
  field: 'spec.trafficPolicy.tls.mode|spec.trafficPolicy.portLevelSettings[*].tls.mode',
  params: ['mesh'],
  libraries: [],
  controls: ['sc-8'],
  rationale:
    'A DestinationRule can switch the client side of a mesh connection to plain text or to TLS without workload identity, below a STRICT PeerAuthentication; in-cluster hosts keep ISTIO_MUTUAL. Hosts outside the cluster (names with dots that are not .svc) are not judged: TLS to them is the egress rules\' concern. Without a mesh component the rule checks nothing.',
};
