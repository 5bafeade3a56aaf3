/**
 * Deterministic builder of small llama-architecture GGUF models for tests,
 * the dev profile and benchmarks: same options, same bytes. Its declaration
 * is a pure function of the options (no model load), so the SBOM can list
 * the dev profile's model cheaply.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { ModelDeclaration } from '../../contracts/model-declaration.js';
import { encodeGguf, type GgufWriteValue } from '../gguf/writer.js';
import { tinyTensors, type TinyShape } from './weights.js';
import { tinyVocab } from './vocab.js';

/** Options of the builder; every field has a small default. */
export interface TinyModelOptions {
  /** Seed of the random weights. @default 1 */
  readonly seed?: number;
  /** Model name in the declaration and `general.name`. @default 'sovra-tiny-chat' */
  readonly name?: string;
  /** Width of the residual stream. @default 64 */
  readonly embeddingLength?: number;
  /** Width of the feed-forward layer. @default 128 */
  readonly feedForwardLength?: number;
  /** Transformer blocks. @default 2 */
  readonly layers?: number;
  /** Attention heads. @default 4 */
  readonly heads?: number;
  /** Key/value heads (grouped-query attention when fewer than `heads`). @default heads */
  readonly kvHeads?: number;
  /** Trained context length written to the header. @default 1024 */
  readonly contextLength?: number;
  /**
   * Whether a chat call answers `TINY_ANSWER` and stops. When false the model
   * wanders the vocabulary until `max_tokens` (benchmarks). @default true
   */
  readonly answers?: boolean;
}

/** The dev profile's local model: its name, seed and file name. */
export const TINY_CHAT_MODEL = {
  name: 'sovra-tiny-chat',
  version: '1',
  seed: 1,
  file: 'sovra-tiny-chat.gguf',
  license: 'Apache-2.0',
} as const;

/** What the tiny model answers to any chat (greedy or sampled). */
export const TINY_ANSWER = 'Hello from Sovra.';

/** Token pieces of `TINY_ANSWER`, in order. */
const ANSWER_PIECES = ['Hello', '\u2581from', '\u2581Sovra', '.'];

/** ChatML, the template the model carries in `tokenizer.chat_template`. */
const CHATML_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** Name of the builder in `source` fields. */
const BUILDER = 'sovra-tiny-model';

/** `source` of a generated model: builder and seed. */
function tinySource(seed: number): string {
  return `generated:${BUILDER}@${seed}`;
}

interface Resolved extends TinyShape {
  readonly seed: number;
  readonly name: string;
  readonly contextLength: number;
  readonly answers: boolean;
}

function resolve(options: TinyModelOptions = {}): Resolved {
  const heads = options.heads ?? 4;
  const r: Resolved = {
    seed: options.seed ?? TINY_CHAT_MODEL.seed,
    name: options.name ?? TINY_CHAT_MODEL.name,
    embeddingLength: options.embeddingLength ?? 64,
    feedForwardLength: options.feedForwardLength ?? 128,
    layers: options.layers ?? 2,
    heads,
    kvHeads: options.kvHeads ?? heads,
    contextLength: options.contextLength ?? 1024,
    answers: options.answers ?? true,
  };
  for (const [k, v] of Object.entries(r)) {
    if (typeof v === 'number' && (!Number.isInteger(v) || v < (k === 'seed' ? 0 : 1))) throw new RangeError(`tiny model option ${k} must be a positive integer, got ${v}`);
  }
  if (r.embeddingLength % r.heads !== 0 || r.heads % r.kvHeads !== 0) throw new RangeError('tiny model: embeddingLength must be a multiple of heads, and heads of kvHeads');
  return r;
}

const cache = new Map<string, Buffer>();

/** Encodes the tiny model's GGUF bytes; the same options always give the same bytes. */
export function buildTinyModel(options?: TinyModelOptions): Buffer {
  const r = resolve(options);
  const key = JSON.stringify(r);
  const hit = cache.get(key);
  if (hit) return hit;
  const vocab = tinyVocab();
  const arch = 'llama';
  const metadata: Array<readonly [string, GgufWriteValue]> = [
    ['general.architecture', { type: 'string', value: arch }],
    ['general.name', { type: 'string', value: r.name }],
    ['general.file_type', { type: 'u32', value: 0 }],
    ['general.version', { type: 'string', value: TINY_CHAT_MODEL.version }],
    ['general.license', { type: 'string', value: TINY_CHAT_MODEL.license }],
    ['general.source.url', { type: 'string', value: tinySource(r.seed) }],
    [`${arch}.context_length`, { type: 'u32', value: r.contextLength }],
    [`${arch}.embedding_length`, { type: 'u32', value: r.embeddingLength }],
    [`${arch}.block_count`, { type: 'u32', value: r.layers }],
    [`${arch}.feed_forward_length`, { type: 'u32', value: r.feedForwardLength }],
    [`${arch}.attention.head_count`, { type: 'u32', value: r.heads }],
    [`${arch}.attention.head_count_kv`, { type: 'u32', value: r.kvHeads }],
    [`${arch}.attention.layer_norm_rms_epsilon`, { type: 'f32', value: 1e-5 }],
    [`${arch}.rope.dimension_count`, { type: 'u32', value: r.embeddingLength / r.heads }],
    [`${arch}.rope.freq_base`, { type: 'f32', value: 10000 }],
    ['tokenizer.ggml.model', { type: 'string', value: 'llama' }],
    ['tokenizer.ggml.tokens', { type: 'string[]', value: vocab.entries.map((e) => e.piece) }],
    ['tokenizer.ggml.scores', { type: 'f32[]', value: vocab.entries.map((e) => e.score) }],
    ['tokenizer.ggml.token_type', { type: 'i32[]', value: vocab.entries.map((e) => e.type) }],
    ['tokenizer.ggml.bos_token_id', { type: 'u32', value: vocab.bos }],
    ['tokenizer.ggml.eos_token_id', { type: 'u32', value: vocab.imEnd }],
    ['tokenizer.ggml.unknown_token_id', { type: 'u32', value: vocab.unk }],
    ['tokenizer.ggml.padding_token_id', { type: 'u32', value: vocab.eos }],
    ['tokenizer.ggml.add_bos_token', { type: 'bool', value: true }],
    ['tokenizer.ggml.add_eos_token', { type: 'bool', value: false }],
    ['tokenizer.ggml.add_space_prefix', { type: 'bool', value: false }],
    ['tokenizer.chat_template', { type: 'string', value: CHATML_TEMPLATE }],
  ];
  const tensors = tinyTensors(r.seed, r, vocab, r.answers ? ANSWER_PIECES : []);
  const bytes = encodeGguf(metadata, tensors);
  cache.set(key, bytes);
  return bytes;
}

/** Declaration of the tiny model built with `options`, stored as `file`; pure, no file access. */
export function tinyModelDeclaration(options?: TinyModelOptions, file: string = TINY_CHAT_MODEL.file): ModelDeclaration {
  const r = resolve(options);
  const bytes = buildTinyModel(options);
  return {
    name: r.name,
    version: TINY_CHAT_MODEL.version,
    file,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    sizeBytes: bytes.length,
    license: TINY_CHAT_MODEL.license,
    source: tinySource(r.seed),
    format: 'gguf',
    parameters: {
      architecture: 'llama',
      contextLength: r.contextLength,
      embeddingLength: r.embeddingLength,
      layers: r.layers,
      vocabSize: tinyVocab().entries.length,
      quantization: 'F32',
    },
  };
}

/** Writes the tiny model to `file` (creating its folder) and returns its declaration. */
export async function writeTinyModel(file: string, options?: TinyModelOptions): Promise<ModelDeclaration> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, buildTinyModel(options));
  return tinyModelDeclaration(options, basename(file));
}
