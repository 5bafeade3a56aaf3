/** Registry entry of NATS JetStream. */
import type { ComponentDefinition } from '../../kit/definition.js';
import { Nats } from './nats.js';

/** The platform's message bus. */
export const NATS: ComponentDefinition = {
  id: 'nats',
  layer: 'data',
  create: (scope, id, props) => new Nats(scope, id, props),
};
