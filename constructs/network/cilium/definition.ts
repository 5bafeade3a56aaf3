/** Registry entry of Cilium, the CNI. */
import type { ComponentDefinition } from '../../kit/definition.js';
import { Cilium } from './cilium.js';

/** Cilium with encryption, Hubble and default deny. */
export const CILIUM: ComponentDefinition = {
  id: 'cilium',
  layer: 'network',
  create: (scope, id, props) => new Cilium(scope, id, props),
};
