/** Registry entry of the logs component, installed where the profile turns it on. */
import type { ComponentDefinition } from '../../kit/definition.js';
import { Logs } from './logs.js';

/** Node log collectors and Loki. */
export const LOGS: ComponentDefinition = {
  id: 'logs',
  layer: 'observability',
  enabled: (p) => p.components.logs.enabled,
  create: (scope, id, props) => new Logs(scope, id, props),
};
