/** Images come only from the profile's allowed registries, or the bundle's mirror. */
import { IMAGE_KINDS } from '../../kinds.js';
import type { PolicyRule } from '../../rule.js';
import { IMAGE_VARIABLES } from './references.js';

const ok = "r.split('/')[0] in params.data.allowedRegistries.split(' ')";

/** images/allowed-registries */
export const rule: PolicyRule = {
  id: 'images/allowed-registries',
  pack: 'images',
  message: 'An image comes from a registry the profile does not allow.',
  severity: 'error',
  match: IMAGE_KINDS,
  variables: IMAGE_VARIABLES,
  expression: `variables.images.all(r, ${ok})`,
  messageExpression: `'from registries not allowed: ' + variables.images.filter(r, !(${ok})).join(', ')`,
  field: '{pod}.containers[*].image',
  fieldByKind: { Cluster: 'spec.imageName' },
  params: ['allowedRegistries'],
  libraries: ['strings'],
  controls: ['cm-7.5', 'sr-3'],
  rationale:
    "Allowed registries are the profile's images.allowedRegistries, or, when it has none, exactly the registries the catalogs declare (which is also what the edge mirror configuration lists), plus the bundle's mirror host. The list is explicit: the rule never reads a mirror's wildcard, so a name on a registry nobody declared fails instead of passing because some mirror would answer for it. Short names are read as Docker Hub's, as the runtime reads them.",
};
