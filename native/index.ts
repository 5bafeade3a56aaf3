/** Local inference on llama.cpp: the public surface of `native/`. */
export type { ChatChunk, ChatMessage, ChatRequest, ChatResult, LocalModel, Usage } from './types.js';
export type { ModelDeclaration } from '../contracts/model-declaration.js';
export { loadLocalModel, type LoadLocalModelOptions } from './load.js';
export { NativeLocalModel, type NativeModelStats } from './local-model.js';
export type { PoolStats } from './pool.js';
export type { GpuChoice } from './llama.js';
export { pinModel, verifyModel, type ModelVerification, type PinMetadata } from './pin.js';
export { parseModelDeclaration } from './declaration-check.js';
export { sha256File } from './digest.js';
export { probeModelInChildProcess } from './probe.js';
export { buildTinyModel, writeTinyModel, tinyModelDeclaration, TINY_CHAT_MODEL, TINY_ANSWER, type TinyModelOptions } from './tiny/builder.js';
export { readGgufHeader, type GgufHeader, type GgufTensorInfo, type GgufValue } from './gguf/reader.js';
export { validateGgufModel, type ModelParameters } from './gguf/validate.js';
