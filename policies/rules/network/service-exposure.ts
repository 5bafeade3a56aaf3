/** No Service of type NodePort or LoadBalancer outside the ingress gateway's namespace. */
import { SERVICE_KIND } from '../../kinds.js';
import type { PolicyRule } from '../../rule.js';

/** network/service-exposure */
export const rule: PolicyRule = {
  id: 'network/service-exposure',
  pack: 'network',
  message: 'A Service of type NodePort or LoadBalancer exposes a workload outside the ingress gateway.',
  severity: 'error',
  match: SERVICE_KIND,
  expression:
    "!has(object.spec.type) || object.spec.type in ['ClusterIP', 'ExternalName'] || (has(object.metadata.namespace) && object.metadata.namespace in params.data.gatewayNamespaces.split(' '))",
  messageExpression: "'type ' + object.spec.type + ' in namespace ' + (has(object.metadata.namespace) ? object.metadata.namespace : '(none)')",
  field: 'spec.type',
  params: ['gatewayNamespaces'],
  libraries: ['strings'],
  controls: ['sc-7'],
  rationale:
    "Every way in from outside the cluster passes the boundary the platform manages: the ingress gateway, where TLS, authentication and audit apply (SC-7). The gateway's namespace comes from the profile: the Istio component's when the profile installs it; with no gateway component no Service may be exposed this way.",
};
