/**
 * Checks that a GGUF header carries what llama.cpp needs before llama.cpp
 * sees the file: llama.cpp aborts the whole process (not a catchable
 * error) on some missing keys, for example `llama.feed_forward_length`.
 */
import { SovraError } from '../../core/errors.js';
import type { ModelDeclaration } from '../../contracts/model-declaration.js';
import { GGML_TYPES, LLAMA_FILE_TYPES } from './format.js';
import type { GgufHeader, GgufValue } from './reader.js';

/** Facts of a model read from its header, as the declaration records them. */
export type ModelParameters = ModelDeclaration['parameters'];

/** Architectures without attention: they need no head count or feed-forward width. */
const RECURRENT = new Set(['mamba', 'mamba2', 'rwkv6', 'rwkv6qwen2', 'rwkv7', 'arwkv7']);

function invalid(file: string, message: string): never {
  throw new SovraError('bad-input', `${file} is not a usable GGUF model: ${message}.`);
}

function positiveInt(header: GgufHeader, key: string, file: string): number {
  const v = header.metadata.get(key);
  if (v === undefined) invalid(file, `required metadata key ${key} is missing`);
  const first = Array.isArray(v) ? v[0] : v; // per-layer arrays are allowed for some keys
  const n = typeof first === 'bigint' ? Number(first) : first;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) invalid(file, `metadata ${key} must be a positive integer, found ${String(v)}`);
  if (Array.isArray(v) && v.some((x) => typeof x !== 'number' || !Number.isInteger(x) || x < 1)) invalid(file, `metadata ${key} must hold positive integers`);
  return n;
}

function optionalInt(header: GgufHeader, key: string, file: string): number | undefined {
  return header.metadata.has(key) ? positiveInt(header, key, file) : undefined;
}

function stringArray(v: GgufValue | undefined): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

/** Quantization name: `general.file_type` when present, else the most common tensor type by bytes. */
function quantization(header: GgufHeader): string {
  const ft = header.metadata.get('general.file_type');
  if (typeof ft === 'number' && LLAMA_FILE_TYPES[ft]) return LLAMA_FILE_TYPES[ft];
  const bytes = new Map<string, number>();
  for (const t of header.tensors) {
    const name = GGML_TYPES[t.type]?.name ?? `type-${t.type}`;
    bytes.set(name, (bytes.get(name) ?? 0) + t.size);
  }
  return [...bytes.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? 'unknown';
}

/**
 * Validates the metadata and tensor table of `header` (read from `file`)
 * and returns the model's parameters; throws SovraError('bad-input')
 * naming the first problem.
 */
export function validateGgufModel(header: GgufHeader, file: string): ModelParameters {
  const arch = header.metadata.get('general.architecture');
  if (typeof arch !== 'string' || arch === '') invalid(file, 'required metadata key general.architecture is missing');
  const embeddingLength = positiveInt(header, `${arch}.embedding_length`, file);
  const layers = positiveInt(header, `${arch}.block_count`, file);
  const contextLength = positiveInt(header, `${arch}.context_length`, file);
  if (!RECURRENT.has(arch)) {
    positiveInt(header, `${arch}.feed_forward_length`, file);
    const heads = positiveInt(header, `${arch}.attention.head_count`, file);
    const kvHeads = optionalInt(header, `${arch}.attention.head_count_kv`, file) ?? heads;
    if (!header.metadata.has(`${arch}.attention.key_length`) && embeddingLength % heads !== 0) {
      invalid(file, `${arch}.embedding_length ${embeddingLength} is not a multiple of ${arch}.attention.head_count ${heads}`);
    }
    if (heads % kvHeads !== 0) invalid(file, `${arch}.attention.head_count ${heads} is not a multiple of ${arch}.attention.head_count_kv ${kvHeads}`);
  }

  const tokenizer = header.metadata.get('tokenizer.ggml.model');
  if (typeof tokenizer !== 'string') invalid(file, 'required metadata key tokenizer.ggml.model is missing');
  const tokens = header.metadata.get('tokenizer.ggml.tokens');
  if (!stringArray(tokens) || tokens.length === 0) invalid(file, 'required metadata key tokenizer.ggml.tokens is missing or not a list of strings');
  // llama.cpp asserts (aborting the process) that every piece maps to one id.
  const seen = new Map<string, number>();
  for (const [i, piece] of tokens.entries()) {
    const first = seen.get(piece);
    if (first !== undefined) invalid(file, `tokenizer.ggml.tokens holds the piece ${JSON.stringify(piece)} twice (ids ${first} and ${i})`);
    seen.set(piece, i);
  }
  for (const key of ['tokenizer.ggml.scores', 'tokenizer.ggml.token_type']) {
    const v = header.metadata.get(key);
    if (v !== undefined && (!Array.isArray(v) || v.length !== tokens.length)) {
      invalid(file, `${key} has ${Array.isArray(v) ? v.length : 'no'} entries for ${tokens.length} tokens`);
    }
  }
  for (const [key, v] of header.metadata) {
    if (!/^tokenizer\.ggml\.[a-z_]+_token_id$/.test(key)) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < -1 || v >= tokens.length) {
      invalid(file, `${key} is ${String(v)}, outside the vocabulary of ${tokens.length} tokens`);
    }
  }

  const embd = header.tensors.find((t) => t.name === 'token_embd.weight');
  if (!embd) invalid(file, 'tensor token_embd.weight is missing');
  if (embd.dims[0] !== embeddingLength) invalid(file, `tensor token_embd.weight has width ${embd.dims[0]}, expected ${arch}.embedding_length ${embeddingLength}`);
  const vocabSize = embd.dims[1] ?? 1;
  if (vocabSize !== tokens.length) invalid(file, `tensor token_embd.weight has ${vocabSize} rows for ${tokens.length} tokens`);
  for (let i = 0; i < layers; i++) {
    if (!header.tensors.some((t) => t.name.startsWith(`blk.${i}.`))) invalid(file, `${arch}.block_count is ${layers} but block ${i} has no tensors`);
  }

  return { architecture: arch, contextLength, embeddingLength, layers, vocabSize, quantization: quantization(header) };
}
