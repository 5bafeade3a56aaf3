/**
 * A stand-in for the openbao component, for tests of components that connect
 * to OpenBao while the real component is not in the registry: it declares
 * only what peers rely on, the pod group `openbao` with port `api` (8200)
 * in OpenBao's namespace, and nothing else (no chart, no image, no claim).
 * Once the registry has the real openbao, `withOpenBao` returns the
 * registry unchanged and the stand-in is never built.
 */
import type { Construct } from 'constructs';
import { Component, type ComponentProps } from '../../constructs/kit/component.js';
import type { ComponentDefinition } from '../../constructs/kit/definition.js';
import { NAMESPACES, OPENBAO_API } from '../../constructs/kit/shared-names.js';
import { COMPONENTS } from '../../constructs/registry.js';

/** The stand-in: OpenBao's pods and API port, as the openbao component is to declare them. */
class OpenBaoStandIn extends Component {
  constructor(scope: Construct, id: string, props: ComponentProps) {
    super(scope, id, props, { title: 'OpenBao (test stand-in)', description: 'Pods and API port of OpenBao, declared by a test.', layer: 'identity', namespace: NAMESPACES.openbao, version: '0.0.0' });
    this.addPods({ name: 'openbao', labels: { 'app.kubernetes.io/name': 'openbao' }, ports: { api: { port: OPENBAO_API.port } } });
  }
}

/** Registry entry of the stand-in, under the real component's id. */
export const OPENBAO_STAND_IN: ComponentDefinition = { id: 'openbao', layer: 'identity', create: (s, id, p) => new OpenBaoStandIn(s, id, p) };

/** The registry with openbao in it: the real one when registered, else the stand-in. */
export function withOpenBao(components: readonly ComponentDefinition[] = COMPONENTS): readonly ComponentDefinition[] {
  return components.some((d) => d.id === 'openbao') ? components : [...components, OPENBAO_STAND_IN];
}
