/**
 * A small deterministic text embedder for RAG tests and benchmarks: feature
 * hashing of lower-cased words into `dims` signed buckets, L2-normalised.
 * Texts sharing words get a higher cosine similarity, so retrieval results
 * mean something, and the exact scores can be recomputed in the test.
 */
import { createHash } from 'node:crypto';
import type { Embedder } from '../../services/rag/types.js';

function bucket(word: string, dims: number): { index: number; sign: number } {
  const h = createHash('sha256').update(word).digest();
  return { index: h.readUInt32BE(0) % dims, sign: h[4]! & 1 ? 1 : -1 };
}

/** The embedding of one text. */
export function hashEmbedding(text: string, dims = 64): number[] {
  const v = new Array<number>(dims).fill(0);
  for (const w of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    const { index, sign } = bucket(w, dims);
    v[index]! += sign;
  }
  const norm = Math.hypot(...v);
  if (norm === 0) v[0] = 1;
  else for (let i = 0; i < dims; i++) v[i] = v[i]! / norm;
  return v;
}

/** An `Embedder` over `hashEmbedding` that counts the texts it was asked to embed. */
export function hashEmbedder(dims = 64, model = `hash-${dims}`): Embedder & { calls: number; texts: number } {
  const fn = (async (inputs: string[]) => {
    fn.calls += 1;
    fn.texts += inputs.length;
    return { vectors: inputs.map((t) => hashEmbedding(t, dims)), model };
  }) as Embedder & { calls: number; texts: number };
  fn.calls = 0;
  fn.texts = 0;
  return fn;
}

/** Cosine similarity of two vectors. */
export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}
