/** Registry entry of the traces component, installed where the profile turns it on. */
import type { ComponentDefinition } from '../../kit/definition.js';
import { Traces } from './traces.js';

/** The trace collector and Tempo. */
export const TRACES: ComponentDefinition = {
  id: 'traces',
  layer: 'observability',
  enabled: (p) => p.components.traces.enabled,
  create: (scope, id, props) => new Traces(scope, id, props),
};
