/** Registry entry of Istio, the service mesh (off on dev unless the profile turns it on). */
import type { ComponentDefinition } from '../../kit/definition.js';
import { Istio } from './istio.js';
import { meshEnabled } from './settings.js';

/** The service mesh, installed where the profile's `components.istio.enabled` says so. */
export const ISTIO: ComponentDefinition = {
  id: 'istio',
  layer: 'network',
  enabled: meshEnabled,
  create: (scope, id, props) => new Istio(scope, id, props),
};
