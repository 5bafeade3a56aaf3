/**
 * The vocabulary of the test model: a SentencePiece-style (`llama`)
 * tokenizer with control tokens for the ChatML template, all 256 byte
 * tokens (so any text tokenizes) and enough word pieces that chat prompts
 * stay short.
 */
import { TokenType } from '../gguf/format.js';

/** One vocabulary entry. */
export interface VocabEntry {
  readonly piece: string;
  readonly score: number;
  readonly type: number;
}

/** Ids of the tokens the builder wires specially. */
export interface TinyVocab {
  readonly entries: readonly VocabEntry[];
  readonly bos: number;
  readonly eos: number;
  readonly unk: number;
  readonly imStart: number;
  readonly imEnd: number;
  /** Id of a piece; throws when it is absent (a builder bug). */
  id(piece: string): number;
}

const WORDS = [
  'system', 'user', 'assistant', 'Hello', 'hello', 'Hi', 'hi', 'from', 'Sovra', 'the', 'a', 'an', 'is', 'are', 'you',
  'I', 'we', 'what', 'how', 'why', 'to', 'of', 'and', 'in', 'it', 'for', 'on', 'with', 'that', 'this', 'please',
  'answer', 'question', 'yes', 'no', 'model', 'local', 'test', 'json', 'name', 'value', 'true', 'false', 'null',
  'ok', 'stream', 'count', 'one', 'two', 'three', 'tell', 'me', 'about', 'say', 'write', 'short', 'story',
  'red', 'green', 'blue', 'color', 'helpful', 'be', 'brief', 'word', 'words', 'sentence', 'number', 'list',
];

/** Builds the vocabulary; the result depends on nothing but this file. */
export function tinyVocab(): TinyVocab {
  const entries: VocabEntry[] = [];
  const index = new Map<string, number>();
  const add = (piece: string, type: number, score: number): void => {
    if (index.has(piece)) return;
    index.set(piece, entries.length);
    entries.push({ piece, type, score });
  };
  add('<unk>', TokenType.UNKNOWN, 0);
  add('<s>', TokenType.CONTROL, 0);
  add('</s>', TokenType.CONTROL, 0);
  add('<|im_start|>', TokenType.CONTROL, 0);
  add('<|im_end|>', TokenType.CONTROL, 0);
  for (let b = 0; b < 256; b++) add(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`, TokenType.BYTE, 0);
  add('\u2581', TokenType.NORMAL, -1);
  for (let c = 0x21; c < 0x7f; c++) add(String.fromCharCode(c), TokenType.NORMAL, -1);
  // Every prefix of a word is a piece too, so SentencePiece's pairwise merges can reach the word.
  let rank = 0;
  for (const word of WORDS) {
    for (const w of [word, `\u2581${word}`]) {
      for (let n = 2; n <= w.length; n++) add(w.slice(0, n), TokenType.NORMAL, -2 - rank++ / 1000);
    }
  }
  const id = (piece: string): number => {
    const i = index.get(piece);
    if (i === undefined) throw new Error(`tiny vocabulary has no piece ${JSON.stringify(piece)}`);
    return i;
  };
  return { entries, bos: 1, eos: 2, unk: 0, imStart: 3, imEnd: 4, id };
}
