/**
 * A model artifact declared once: the single source for the local runtime
 * (which refuses a file whose digest differs), the SBOM
 * (`machine-learning-model` component with hashes) and provenance.
 */
export interface ModelDeclaration {
  /** Model name, also the id the control plane lists, e.g. `sovra-tiny-chat`. */
  readonly name: string;
  /** Version of the weights (free text, stable). */
  readonly version: string;
  /** File name of the GGUF, relative to the model directory. */
  readonly file: string;
  /** SHA-256 of the file, 64 lower-case hex characters. */
  readonly sha256: string;
  /** Size of the file in bytes. */
  readonly sizeBytes: number;
  /** SPDX license expression of the weights. */
  readonly license: string;
  /** Where the weights come from: a URL, or `generated:<builder>@<seed>` for test models. */
  readonly source: string;
  /** File format; only GGUF is supported. */
  readonly format: 'gguf';
  /** Facts read from the GGUF header. */
  readonly parameters: {
    readonly architecture: string;
    readonly contextLength: number;
    readonly embeddingLength: number;
    readonly layers: number;
    readonly vocabSize: number;
    /** e.g. `F32`, `F16`, `Q4_K_M`. */
    readonly quantization: string;
  };
}
