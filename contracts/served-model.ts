/**
 * A model served by a GPU model server (vLLM, Triton): a directory of
 * files (safetensors shards, tokenizer, config; or an ONNX graph) rather
 * than the one GGUF file of the local runtime. Declared once in the profile
 * and read by the server's weight verifier (the digest manifest), the SBOM
 * (`machine-learning-model` with one `file` sub-component per file and its
 * SHA-256) and the OSCAL inventory.
 *
 * Digests are never guessed: a declaration either lists every file with the
 * SHA-256 computed from its bytes (`digests: 'declared'`), or says that the
 * site supplies them at install (`digests: 'supplied-at-install'`), like an
 * unlocked image. In the second case the weight verifier refuses to start
 * the server until the site's manifest is in place.
 */
import type { ModelDeclaration } from './model-declaration.js';

/** One file of a served model, relative to the model directory, with its SHA-256. */
export interface ServedModelFile {
  /** Relative path, `/`-separated, no `..`. */
  readonly path: string;
  /** SHA-256 of the file, 64 lower-case hex characters. */
  readonly sha256: string;
}

/** A served model, declared once. */
export interface ServedModelDeclaration {
  /** Name the server serves it under (vLLM `--served-model-name`, KServe InferenceService name). */
  readonly name: string;
  /** Version of the weights (upstream revision or release), free text. */
  readonly version: string;
  /** SPDX license expression of the weights. */
  readonly license: string;
  /** Where the weights come from (URL of the upstream repository or file). */
  readonly source: string;
  /** Format of the weights. */
  readonly format: 'safetensors' | 'onnx';
  /** Whether the files and digests below are declared, or supplied by the site at install. */
  readonly digests: 'declared' | 'supplied-at-install';
  /** Every file of the model directory with its SHA-256 (empty when the digests are supplied at install). */
  readonly files: readonly ServedModelFile[];
}

/** Any model a component declares: a GGUF of the local runtime, or a served model directory. */
export type DeclaredModel = ModelDeclaration | ServedModelDeclaration;

/** Whether `m` is a served model (a directory of files) rather than a GGUF declaration. */
export function isServedModel(m: DeclaredModel): m is ServedModelDeclaration {
  return m.format !== 'gguf';
}

/**
 * The digest manifest of a served model, in `sha256sum` format
 * (`<hex>  <path>` per line, sorted by path): what the weight verifier
 * checks, and what a site writes with `sha256sum` when it supplies the
 * digests itself.
 */
export function digestManifest(model: ServedModelDeclaration): string {
  return [...model.files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f) => `${f.sha256}  ${f.path}\n`)
    .join('');
}
