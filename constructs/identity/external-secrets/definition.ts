/** Registry entry of the External Secrets Operator. */
import type { ComponentDefinition } from '../../kit/definition.js';
import { ExternalSecrets } from './external-secrets.js';

/** External Secrets Operator and the platform's ClusterSecretStore backed by OpenBao. */
export const EXTERNAL_SECRETS: ComponentDefinition = {
  id: 'external-secrets',
  layer: 'identity',
  create: (scope, id, props) => new ExternalSecrets(scope, id, props),
};
