/** Registry entry of SPIRE, the platform's workload identity. */
import type { ComponentDefinition } from '../../kit/definition.js';
import { Spire } from './spire.js';

/** SPIRE server, agents, CSI driver, controller manager and a ClusterSPIFFEID per pod group. */
export const SPIRE: ComponentDefinition = {
  id: 'spire',
  layer: 'identity',
  create: (scope, id, props) => new Spire(scope, id, props),
};
