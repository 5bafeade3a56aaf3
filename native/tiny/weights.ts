/**
 * Weights of the test model. They are random (from the seed) except for
 * two planted features that make a random model useful in tests:
 *
 * - The output layer maps each token's embedding to one "next" token, so
 *   greedy and sampled generation alike follow a fixed chain. After the
 *   newline that ends the chat prompt the chain reads the answer text and
 *   then `<|im_end|>`, so a chat call answers in a few tokens with
 *   `finish_reason: 'stop'`; from any other token it wanders the vocabulary
 *   without end (streaming, cancellation and throughput tests).
 * - JSON stays short under a grammar: `"` is followed by `"` (so every
 *   string the grammar lets the model choose is empty), and embedding
 *   dimension 0 is a constant that the residual stream carries to the
 *   output, where it gives `}`, `]`, `"` and `,` a bias below the chain but
 *   above noise, so objects and arrays close as soon as the grammar allows.
 *   The free-running chain never reaches `"`.
 *
 * The transformer layers carry small random weights: they cost real compute
 * but hardly move the residual stream.
 */
import { SeededRandom } from './random.js';
import type { TinyVocab } from './vocab.js';

/** Shape of the generated model. */
export interface TinyShape {
  readonly embeddingLength: number;
  readonly feedForwardLength: number;
  readonly layers: number;
  readonly heads: number;
  readonly kvHeads: number;
}

/** A named F32 tensor in ggml dimension order. */
export interface NamedTensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly data: Float32Array;
}

/** Standard deviation of the layer weights: enough to compute, too little to steer. */
const LAYER_SCALE = 0.02;
/** Output biases, as a fraction of the chain's own logit (about the embedding width). */
const BIASES: ReadonlyArray<readonly [string, number]> = [['}', 0.7], [']', 0.7], ['"', 0.6], [',', 0.5]];

function randomTensor(rng: SeededRandom, name: string, dims: number[], scale: number): NamedTensor {
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = rng.normal() * scale;
  return { name, dims, data };
}

function ones(name: string, n: number): NamedTensor {
  return { name, dims: [n], data: new Float32Array(n).fill(1) };
}

/** The next-token map: answer chain after the prompt's final newline, a random walk elsewhere. */
function nextTokens(rng: SeededRandom, vocab: TinyVocab, answer: readonly string[]): Int32Array {
  const n = vocab.entries.length;
  const chain = [vocab.id('<0x0A>'), ...answer.map((p) => vocab.id(p)), vocab.imEnd];
  const quote = vocab.id('"');
  const reserved = new Set(answer.length > 0 ? [...chain, quote] : [quote]);
  const targets: number[] = [];
  for (let t = 0; t < n; t++) {
    const e = vocab.entries[t]!;
    if (e.type === 1 && !reserved.has(t)) targets.push(t);
  }
  const next = new Int32Array(n);
  for (let t = 0; t < n; t++) next[t] = targets[rng.int(targets.length)]!;
  if (answer.length > 0) for (let i = 0; i + 1 < chain.length; i++) next[chain[i]!] = chain[i + 1]!;
  next[quote] = quote;
  return next;
}

/** All tensors of the model, in the order llama.cpp's converter writes them. */
export function tinyTensors(seed: number, shape: TinyShape, vocab: TinyVocab, answer: readonly string[]): NamedTensor[] {
  const rng = new SeededRandom(seed);
  const d = shape.embeddingLength;
  const n = vocab.entries.length;
  const headDim = d / shape.heads;
  const kvWidth = headDim * shape.kvHeads;

  const embd = new Float32Array(n * d);
  for (let t = 0; t < n; t++) {
    embd[t * d] = 1;
    for (let i = 1; i < d; i++) embd[t * d + i] = rng.normal();
  }
  const next = nextTokens(rng, vocab, answer);
  const output = new Float32Array(n * d);
  for (let t = 0; t < n; t++) {
    const j = next[t]!;
    for (let i = 1; i < d; i++) output[j * d + i]! += embd[t * d + i]!;
  }
  // Dimension 0 of the normalised state is about 1/rms ≈ 1; this weight times d gives the bias in logits.
  for (const [piece, bias] of BIASES) output[vocab.id(piece) * d] = bias * d;

  const tensors: NamedTensor[] = [{ name: 'token_embd.weight', dims: [d, n], data: embd }];
  for (let b = 0; b < shape.layers; b++) {
    const p = `blk.${b}`;
    tensors.push(
      ones(`${p}.attn_norm.weight`, d),
      randomTensor(rng, `${p}.attn_q.weight`, [d, d], LAYER_SCALE),
      randomTensor(rng, `${p}.attn_k.weight`, [d, kvWidth], LAYER_SCALE),
      randomTensor(rng, `${p}.attn_v.weight`, [d, kvWidth], LAYER_SCALE),
      randomTensor(rng, `${p}.attn_output.weight`, [d, d], LAYER_SCALE),
      ones(`${p}.ffn_norm.weight`, d),
      randomTensor(rng, `${p}.ffn_gate.weight`, [d, shape.feedForwardLength], LAYER_SCALE),
      randomTensor(rng, `${p}.ffn_down.weight`, [shape.feedForwardLength, d], LAYER_SCALE),
      randomTensor(rng, `${p}.ffn_up.weight`, [d, shape.feedForwardLength], LAYER_SCALE),
    );
  }
  tensors.push(ones('output_norm.weight', d), { name: 'output.weight', dims: [d, n], data: output });
  return tensors;
}
