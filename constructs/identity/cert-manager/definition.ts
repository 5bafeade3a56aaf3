/** Registry entry of cert-manager and trust-manager, the platform's certificates and trust. */
import type { ComponentDefinition } from '../../kit/definition.js';
import { CertManager } from './cert-manager.js';

/** cert-manager with the internal CA and issuers, trust-manager with the trust bundle. */
export const CERT_MANAGER: ComponentDefinition = {
  id: 'cert-manager',
  layer: 'identity',
  create: (scope, id, props) => new CertManager(scope, id, props),
};
