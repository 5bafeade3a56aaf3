/**
 * The components of the stack, in the order they are built and written. A
 * new component is one folder under `constructs/<layer>/<id>/` and one line
 * here; everything else (namespace, allow rules, SBOM, OSCAL, Terraform)
 * follows from its own declarations.
 */
import { CONTROL_PLANE } from './ai-runtime/control-plane/definition.js';
import { ADMISSION } from './policy/admission/definition.js';
import { NATS } from './data/nats/definition.js';
import { DISTRIBUTION } from './distribution/distribution/definition.js';
import type { ComponentDefinition } from './kit/definition.js';
import { CILIUM } from './network/cilium/definition.js';

/** Every component Sovra knows, in build order. */
export const COMPONENTS: readonly ComponentDefinition[] = [DISTRIBUTION, CILIUM, NATS, CONTROL_PLANE, ADMISSION];
