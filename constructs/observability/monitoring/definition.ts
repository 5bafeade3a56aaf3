/** Registry entry of the monitoring component. */
import type { ComponentDefinition } from '../../kit/definition.js';
import { Monitoring } from './monitoring.js';

/** Metrics, alerts and dashboards of the platform. */
export const MONITORING: ComponentDefinition = {
  id: 'monitoring',
  layer: 'observability',
  create: (scope, id, props) => new Monitoring(scope, id, props),
};
