/** Registry entry of Tekton Pipelines and Chains (where the profile's components.tekton.enabled says so). */
import type { ComponentDefinition } from '../../kit/definition.js';
import { Tekton } from './tekton.js';

/** Tekton Pipelines and Chains through the Tekton operator, and the verify pipelines. */
export const TEKTON: ComponentDefinition = {
  id: 'tekton',
  layer: 'supply-chain',
  enabled: (profile) => profile.components.tekton.enabled,
  create: (scope, id, props) => new Tekton(scope, id, props),
};
