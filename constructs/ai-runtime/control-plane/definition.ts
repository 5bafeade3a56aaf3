/** Registry entry of the Sovra control plane. */
import type { ComponentDefinition } from '../../kit/definition.js';
import { ControlPlane } from './control-plane.js';

/** Sovra's OpenAI-compatible API gateway. */
export const CONTROL_PLANE: ComponentDefinition = {
  id: 'control-plane',
  layer: 'ai-runtime',
  create: (scope, id, props) => new ControlPlane(scope, id, props),
};
