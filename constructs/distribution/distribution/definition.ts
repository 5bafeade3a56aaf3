/** Registry entry of the distribution component (K3s or RKE2 host configuration). */
import type { ComponentDefinition } from '../../kit/definition.js';
import { Distribution } from './distribution.js';

/** K3s or RKE2, per profile. */
export const DISTRIBUTION: ComponentDefinition = {
  id: 'distribution',
  layer: 'distribution',
  create: (scope, id, props) => new Distribution(scope, id, props),
};
