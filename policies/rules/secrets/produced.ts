/** Every Secret a pod references has a producer in the output (the secret closure). */
import { POD_KINDS } from '../../kinds.js';
import type { NamedExpression, PolicyRule } from '../../rule.js';
import { POD_VARIABLES } from '../pod-spec.js';

const notOptional = (ref: string) => `!(has(${ref}.optional) && ${ref}.optional == true)`;
const ns = "(has(object.metadata.namespace) ? object.metadata.namespace : '') + '/'";

// CEL in Kubernetes 1.30 has no flatten: each source is joined to a string and the whole split again.
const references: NamedExpression = {
  name: 'secretReferences',
  expression: '(' + [
    `variables.containers.map(c, has(c.env) ? c.env.filter(e, has(e.valueFrom) && has(e.valueFrom.secretKeyRef) && ${notOptional('e.valueFrom.secretKeyRef')}).map(e, e.valueFrom.secretKeyRef.name).join(' ') : '').join(' ')`,
    `variables.containers.map(c, has(c.envFrom) ? c.envFrom.filter(e, has(e.secretRef) && ${notOptional('e.secretRef')}).map(e, e.secretRef.name).join(' ') : '').join(' ')`,
    `(has(variables.podSpec.volumes) ? variables.podSpec.volumes.filter(v, has(v.secret) && ${notOptional('v.secret')}).map(v, v.secret.secretName).join(' ') : '')`,
    `(has(variables.podSpec.volumes) ? variables.podSpec.volumes.filter(v, has(v.projected) && has(v.projected.sources)).map(v, v.projected.sources.filter(s, has(s.secret) && ${notOptional('s.secret')}).map(s, s.secret.name).join(' ')).join(' ') : '')`,
    `(has(variables.podSpec.imagePullSecrets) ? variables.podSpec.imagePullSecrets.map(s, s.name).join(' ') : '')`,
  ].join(" + ' ' + ") + ").split(' ').filter(n, n != '').map(n, " + ns + ' + n)',
};

const missing = "variables.secretReferences.filter(r, !(r in params.data.producedSecrets.split(' ')))";

/** secrets/produced */
export const rule: PolicyRule = {
  id: 'secrets/produced',
  pack: 'secrets',
  message: 'The pod references a Secret that nothing in the output produces.',
  severity: 'error',
  match: POD_KINDS,
  variables: [...POD_VARIABLES, references],
  expression: `size(${missing}) == 0`,
  messageExpression: `'Secrets without a producer: ' + ${missing}.join(', ')`,
  field: '{pod}.containers[*].env[*].valueFrom.secretKeyRef|envFrom[*].secretRef|volumes[*].secret|imagePullSecrets',
  params: ['producedSecrets'],
  libraries: ['strings'],
  controls: ['ia-5', 'sc-12'],
  rationale:
    "A pod whose Secret has no producer never starts, or starts on a Secret someone made by hand outside every record. Producers are the secret closure's: ExternalSecrets, cert-manager Certificates, operators a component installs, and Secrets supplied at install (listed in the README). The same producers the synth's secret closure check (output/secret-closure.ts, exit 5) reads, so at synth time this rule agrees with it on Sovra's objects; it also judges the pods charts render (conformance tests) and, in the cluster, what is applied later.",
};
