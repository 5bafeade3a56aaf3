/**
 * Loads a pinned GGUF model for local inference: digest check, header
 * validation in TypeScript (llama.cpp aborts the process on some malformed
 * files), then llama.cpp on the CPU.
 */
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { resolveChatWrapper } from 'node-llama-cpp';
import { SovraError } from '../core/errors.js';
import type { ModelDeclaration } from '../contracts/model-declaration.js';
import { normalizeSha256, sha256File } from './digest.js';
import { readGgufHeader } from './gguf/reader.js';
import { validateGgufModel } from './gguf/validate.js';
import { sharedLlama, type GpuChoice } from './llama.js';
import { NativeLocalModel } from './local-model.js';
import { probeModelInChildProcess } from './probe.js';

/** Options of `loadLocalModel`. */
export interface LoadLocalModelOptions {
  /** Path of the GGUF file. */
  readonly path: string;
  /** The model's declaration: its `sha256` is enforced and its `name` is the default id. */
  readonly declaration?: ModelDeclaration;
  /** Expected SHA-256 (`<hex>` or `sha256:<hex>`), when there is no declaration. */
  readonly sha256?: string;
  /** Model id. @default declaration name, else the file name without `.gguf` */
  readonly id?: string;
  /** CPU threads per context. @default available cores minus one, at least 1, at most 4 */
  readonly threads?: number;
  /** Contexts in each pool (chat, embeddings): concurrent requests beyond it wait. @default 2 */
  readonly contexts?: number;
  /** Tokens per context. @default the model's trained context length, at most 2048 */
  readonly contextSize?: number;
  /** Compute backend: the CPU build unless `'auto'` is asked for by name. @default false */
  readonly gpu?: GpuChoice;
  /**
   * Load the file once in a child process first, so a fault that makes
   * llama.cpp abort takes down only the child (costs a few seconds).
   * @default true for a file without a pin (no declaration, no `sha256`), false for a pinned one
   */
  readonly probe?: boolean;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 1) throw new SovraError('bad-config', `loadLocalModel: ${name} must be a positive integer, got ${String(value)}.`);
  return v;
}

/**
 * Loads the GGUF model at `options.path` once, to serve many requests.
 * Refuses (SovraError `bad-input`) a file whose SHA-256 differs from the
 * declaration or `sha256`, naming expected and actual digest, and a
 * malformed or truncated file, before llama.cpp reads it. An unpinned file
 * is loaded once in a child process first (see `probe`).
 */
export async function loadLocalModel(options: LoadLocalModelOptions): Promise<NativeLocalModel> {
  const { path, declaration } = options;
  const pins = [
    declaration ? { from: `declaration of ${declaration.name}`, hex: normalizeSha256(declaration.sha256, `declaration ${declaration.name} sha256`) } : undefined,
    options.sha256 !== undefined ? { from: 'sha256 option', hex: normalizeSha256(options.sha256, 'sha256') } : undefined,
  ].filter((p) => p !== undefined);
  if (pins.length === 2 && pins[0]!.hex !== pins[1]!.hex) {
    throw new SovraError('bad-input', `loadLocalModel: the declaration of ${declaration!.name} pins sha256:${pins[0]!.hex} but the sha256 option says sha256:${pins[1]!.hex}.`);
  }
  const threads = positive('threads', options.threads, Math.min(4, Math.max(1, availableParallelism() - 1)));
  const contexts = positive('contexts', options.contexts, 2);

  const actual = await sha256File(path);
  const expected = pins[0];
  if (expected && expected.hex !== actual) {
    throw new SovraError('bad-input', `Model file ${path} does not match its pin: expected sha256:${expected.hex} (${expected.from}), actual sha256:${actual}. Refusing to load it.`);
  }

  const header = readGgufHeader(path);
  const params = validateGgufModel(header, path);
  if (options.probe ?? !expected) await probeModelInChildProcess(path);
  const contextSize = positive('contextSize', options.contextSize, Math.min(params.contextLength, 2048));

  const llama = await sharedLlama(options.gpu ?? false);
  let model;
  try {
    model = await llama.loadModel({ modelPath: path, gpuLayers: options.gpu ? 'auto' : 0 });
  } catch (e) {
    throw new SovraError('bad-input', `llama.cpp could not load ${path}: ${(e as Error).message}`, { cause: e });
  }
  // The model's own Jinja template when it carries one; node-llama-cpp's guess from the architecture otherwise.
  const hasTemplate = typeof header.metadata.get('tokenizer.chat_template') === 'string';
  const chatWrapper = resolveChatWrapper(model, hasTemplate ? { type: 'jinjaTemplate' } : {});
  const id = options.id ?? declaration?.name ?? basename(path).replace(/\.gguf$/i, '');
  return new NativeLocalModel({ id, digest: `sha256:${actual}`, llama, model, chatWrapper, contexts, contextSize, threads });
}
