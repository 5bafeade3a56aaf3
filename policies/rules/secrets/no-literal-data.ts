/** No Secret of the output carries its value. */
import { SECRET_KIND } from '../../kinds.js';
import type { PolicyRule } from '../../rule.js';

/** secrets/no-literal-data */
export const rule: PolicyRule = {
  id: 'secrets/no-literal-data',
  pack: 'secrets',
  message: 'A Secret carries literal data in the output.',
  severity: 'error',
  match: SECRET_KIND,
  expression: '(!has(object.data) || size(object.data) == 0) && (!has(object.stringData) || size(object.stringData) == 0)',
  messageExpression: "'keys written in the output: ' + ((has(object.data) ? object.data.map(k, k) : []) + (has(object.stringData) ? object.stringData.map(k, k) : [])).join(', ')",
  field: 'data|stringData',
  params: [],
  libraries: ['strings'],
  controls: ['ia-5.7', 'sc-28'],
  rationale:
    'The output is signed, mirrored and read by reviewers: a value in it is an unencrypted static authenticator (IA-5(7)) outside any store that protects it at rest (SC-28). Secrets come from their producers in the cluster (ExternalSecrets from OpenBao or generators, cert-manager Certificates, operators), never from the manifests; a chart that renders a Secret with a value fails the same rule in its conformance test.',
};
