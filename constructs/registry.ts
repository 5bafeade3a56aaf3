/**
 * The components of the stack, in the order they are built and written. A
 * new component is one folder under `constructs/<layer>/<id>/` and one line
 * here; everything else (namespace, allow rules, SBOM, OSCAL, Terraform)
 * follows from its own declarations.
 */
import { CONTROL_PLANE } from './ai-runtime/control-plane/definition.js';
import { ADMISSION } from './policy/admission/definition.js';
import { GPU_OPERATOR } from './ai-runtime/gpu-operator/definition.js';
import { VLLM } from './ai-runtime/vllm/definition.js';
import { KSERVE } from './ai-runtime/kserve/definition.js';
import { NATS } from './data/nats/definition.js';
import { OBJECT_STORE_COMPONENT } from './data/object-store/definition.js';
import { POSTGRES } from './data/postgres/definition.js';
import { DISTRIBUTION } from './distribution/distribution/definition.js';
import { EXTERNAL_SECRETS } from './identity/external-secrets/definition.js';
import { CERT_MANAGER } from './identity/cert-manager/definition.js';
import { OPENBAO } from './identity/openbao/definition.js';
import { KEYCLOAK } from './identity/keycloak/definition.js';
import type { ComponentDefinition } from './kit/definition.js';
import { CILIUM } from './network/cilium/definition.js';
import { ISTIO } from './network/istio/definition.js';
import { SPIRE } from './identity/spire/definition.js';
import { MONITORING } from './observability/monitoring/definition.js';
import { LOGS } from './observability/logs/definition.js';
import { TRACES } from './observability/traces/definition.js';
import { TEKTON } from './supply-chain/tekton/definition.js';

/** Every component Sovra knows, in build order (components that serve a Grafana datasource come before monitoring). */
export const COMPONENTS: readonly ComponentDefinition[] = [DISTRIBUTION, CILIUM, ISTIO, CERT_MANAGER, OPENBAO, EXTERNAL_SECRETS, SPIRE, NATS, POSTGRES, OBJECT_STORE_COMPONENT, KEYCLOAK, CONTROL_PLANE, GPU_OPERATOR, VLLM, KSERVE, TEKTON, LOGS, TRACES, MONITORING, ADMISSION];
