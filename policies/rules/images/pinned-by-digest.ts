/** Images are pinned by digest, or are catalog images the lock does not pin yet (reported); never an undeclared tag. */
import { IMAGE_KINDS } from '../../kinds.js';
import type { PolicyRule } from '../../rule.js';
import { IMAGE_VARIABLES, PINNED } from './references.js';

const ok = `${PINNED} || r in params.data.unlockedImages.split(' ')`;

/** images/pinned-by-digest */
export const rule: PolicyRule = {
  id: 'images/pinned-by-digest',
  pack: 'images',
  message: 'An image is named by a tag that no catalog declares, where the profile requires digests.',
  severity: 'error',
  match: IMAGE_KINDS,
  variables: IMAGE_VARIABLES,
  expression: `params.data.requireDigest != 'true' || variables.images.all(r, ${ok})`,
  messageExpression: `'neither pinned by digest nor a declared catalog image: ' + variables.images.filter(r, !(${ok})).join(', ')`,
  field: '{pod}.containers[*].image',
  fieldByKind: { Cluster: 'spec.imageName' },
  params: ['requireDigest', 'unlockedImages'],
  libraries: ['strings'],
  controls: ['cm-2', 'si-7'],
  rationale:
    'On profiles with images.requireDigest every image must resolve through the image lock: pinned by a digest that was published or computed from bytes. Some catalog images cannot be locked offline (NATS, whose tag has no published digest here; the control plane, whose digest exists once it is built): they are rendered by tag, marked in the SBOM, reported by the warning rule images/locked, and refused where bits must be fixed (`sovra verify --require-locked`, the bundle). This rule fails what escapes the lock altogether: a tag no catalog declares (a chart value, an override), which no report would ever show. On dev, where tags are allowed, it checks nothing.',
};
