/** Registry entry of OpenBao, the secrets store. */
import type { ComponentDefinition } from '../../kit/definition.js';
import { OpenBao } from './openbao.js';

/** OpenBao with Raft, TLS 1.3, a declarative audit device, Kubernetes auth and the profile's seal. */
export const OPENBAO: ComponentDefinition = {
  id: 'openbao',
  layer: 'identity',
  create: (scope, id, props) => new OpenBao(scope, id, props),
};
