/**
 * `variables.images`: every container image of the pod, normalized the way
 * the container runtime reads it (a name without a registry is Docker
 * Hub's; a single-segment name is in its `library/`), so a rule compares
 * full references and a short name never slips past a registry check. For
 * an operand kind (OPERAND_IMAGE_KINDS: CloudNativePG's Cluster) it is the
 * image the operator runs, `spec.imageName`; the pod variables are not read
 * there (CEL's conditional does not evaluate the other branch).
 */
import type { NamedExpression } from '../../rule.js';
import { POD_VARIABLES } from '../pod-spec.js';

const first = "i.split('/')[0]";

/** The normalized image references. */
export const IMAGES: NamedExpression = {
  name: 'images',
  expression:
    `(object.kind == 'Cluster' ? (has(object.spec.imageName) ? [object.spec.imageName] : []) : variables.allContainers.map(c, c.image)).map(i, i.split('/').size() == 1 ? 'docker.io/library/' + i : ` +
    `((${first}.contains('.') || ${first}.contains(':') || ${first} == 'localhost') ? i : 'docker.io/' + i))`,
};

/** Variables of the image rules, in order. */
export const IMAGE_VARIABLES: readonly NamedExpression[] = [...POD_VARIABLES, IMAGES];

/** CEL: the reference `r` is pinned by a sha256 digest. */
export const PINNED = "r.matches('@sha256:[0-9a-f]{64}$')";
