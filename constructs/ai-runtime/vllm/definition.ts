/** Registry entry of vLLM (only profiles with GPU pools install it). */
import type { ComponentDefinition } from '../../kit/definition.js';
import { Vllm } from './vllm.js';

/** The OpenAI-compatible LLM server on a GPU pool. */
export const VLLM: ComponentDefinition = {
  id: 'vllm',
  layer: 'ai-runtime',
  enabled: (profile) => profile.gpu.pools.length > 0,
  create: (scope, id, props) => new Vllm(scope, id, props),
};
