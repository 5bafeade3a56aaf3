/** Registry entry of Keycloak, the platform's identity provider. */
import type { ComponentDefinition } from '../../kit/definition.js';
import { Keycloak } from './keycloak.js';

/** Keycloak with realm sovra. */
export const KEYCLOAK: ComponentDefinition = {
  id: 'keycloak',
  layer: 'identity',
  create: (scope, id, props) => new Keycloak(scope, id, props),
};
