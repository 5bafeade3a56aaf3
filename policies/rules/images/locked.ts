/** Images are pinned by digest (warning: the gate is `sovra verify --require-locked`). */
import { IMAGE_KINDS } from '../../kinds.js';
import type { PolicyRule } from '../../rule.js';
import { IMAGE_VARIABLES, PINNED } from './references.js';

/** images/locked */
export const rule: PolicyRule = {
  id: 'images/locked',
  pack: 'images',
  message: 'An image is named by tag, not pinned by digest: the image lock has no digest for it yet.',
  severity: 'warning',
  match: IMAGE_KINDS,
  variables: IMAGE_VARIABLES,
  expression: `params.data.requireDigest != 'true' || variables.images.all(r, ${PINNED})`,
  messageExpression: `'named by tag: ' + variables.images.filter(r, !(${PINNED})).join(', ')`,
  field: '{pod}.containers[*].image',
  fieldByKind: { Cluster: 'spec.imageName' },
  params: ['requireDigest'],
  libraries: ['strings'],
  controls: ['cm-2', 'si-7'],
  rationale:
    'A warning, not an error: digests come only from the image lock, and only digests seen published or computed from bytes are recorded, so an image whose digest is not known offline stays named by tag. The synth reports it (and in the cluster the binding warns and audits); `sovra verify --require-locked` and the air-gapped bundle refuse the output until it is locked. Failing the synth here would make the edge and cluster profiles unbuildable offline without adding any assurance the verify gate does not give.',
};
