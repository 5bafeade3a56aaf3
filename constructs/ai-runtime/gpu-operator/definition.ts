/** Registry entry of the NVIDIA GPU Operator (only profiles with GPU pools install it). */
import type { ComponentDefinition } from '../../kit/definition.js';
import { GpuOperator } from './gpu-operator.js';

/** Drivers, container toolkit, device plugin and GPU telemetry on the profile's GPU pools. */
export const GPU_OPERATOR: ComponentDefinition = {
  id: 'gpu-operator',
  layer: 'ai-runtime',
  enabled: (profile) => profile.gpu.pools.length > 0,
  create: (scope, id, props) => new GpuOperator(scope, id, props),
};
