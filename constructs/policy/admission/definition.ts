/** Registry entry of the admission policies (the policy layer). */
import type { ComponentDefinition } from '../../kit/definition.js';
import { Admission } from './admission.js';

/** Sovra's policy rules as ValidatingAdmissionPolicies. */
export const ADMISSION: ComponentDefinition = {
  id: 'admission',
  layer: 'policy',
  create: (scope, id, props) => new Admission(scope, id, props),
};
