/** Splits documents into overlapping passages for embedding. */

/** How documents are cut into chunks. */
export interface ChunkOptions {
  /** Most characters in one chunk. @default 1000 */
  readonly maxChars?: number;
  /** Characters the next chunk repeats from the end of the previous one. @default 150 */
  readonly overlapChars?: number;
}

/**
 * Cuts `text` into chunks of at most `maxChars` characters, breaking at
 * whitespace where possible, each starting about `overlapChars` before the
 * previous one ended so a sentence cut in two is whole in one of them.
 * Whitespace runs collapse to one space. Deterministic.
 */
export function chunkText(text: string, options: ChunkOptions = {}): string[] {
  const max = options.maxChars ?? 1000;
  const overlap = options.overlapChars ?? 150;
  if (!(Number.isInteger(max) && max > 0)) throw new RangeError(`maxChars must be a positive integer, got ${max}`);
  if (!(Number.isInteger(overlap) && overlap >= 0 && overlap < max)) throw new RangeError(`overlapChars must be an integer in [0, maxChars), got ${overlap}`);
  const clean = text.replace(/\s+/g, ' ').trim();
  if (clean === '') return [];
  const chunks: string[] = [];
  let start = 0;
  for (;;) {
    if (clean.length - start <= max) {
      chunks.push(clean.slice(start));
      return chunks;
    }
    let end = clean.lastIndexOf(' ', start + max);
    // No space inside the window (one very long word): cut it hard.
    if (end <= start) end = start + max;
    chunks.push(clean.slice(start, end).trim());
    // Next chunk starts at a word boundary about `overlap` characters back, always moving forward.
    let next = end - overlap;
    if (next <= start) next = end;
    else {
      const space = clean.indexOf(' ', next);
      next = space === -1 || space >= end ? end : space + 1;
    }
    while (clean[next] === ' ') next += 1;
    start = next;
  }
}
