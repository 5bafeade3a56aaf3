/**
 * vLLM pins. Nothing in the reference data pins the `vllm/vllm-openai`
 * image: the vllm-stack chart and KServe's runtime configs name it `latest`.
 * The version here is CHOSEN, not verified offline: v0.19.1, the vLLM
 * release KServe v0.20.0 pairs with its llm-d images (kserve-runtime-configs
 * v0.20.0, files/llmisvcconfigs/resources.yaml:
 * `ghcr.io/llm-d/llm-d-uds-tokenizer:vllm-v0.19.1`). Its digest is unknown
 * here, so the image stays unlocked until a site's lock records it.
 */
import type { ImagePin } from '../../kit/image.js';

/** The OpenAI-compatible vLLM server. */
export const VLLM_IMAGE: ImagePin = {
  registry: 'docker.io',
  repository: 'vllm/vllm-openai',
  tag: 'v0.19.1',
  license: 'Apache-2.0',
  source: 'chosen, not verified offline: the vLLM release named by KServe v0.20.0 (kserve-runtime-configs files/llmisvcconfigs/resources.yaml, llm-d-uds-tokenizer:vllm-v0.19.1)',
};
