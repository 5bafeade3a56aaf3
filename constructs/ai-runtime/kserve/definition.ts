/** Registry entry of KServe (profiles with GPU pools and at least one predictive model install it). */
import type { ComponentDefinition } from '../../kit/definition.js';
import { Kserve } from './kserve.js';

/** KServe with Triton: one InferenceService per model of components.kserve.models. */
export const KSERVE: ComponentDefinition = {
  id: 'kserve',
  layer: 'ai-runtime',
  enabled: (profile) => profile.gpu.pools.length > 0 && profile.components.kserve.models.length > 0,
  create: (scope, id, props) => new Kserve(scope, id, props),
};
