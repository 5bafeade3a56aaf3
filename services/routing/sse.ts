/** Reads the `data:` payloads of a server-sent event stream. */

/** Yields each event's data (multi-line data joined by `\n`) until the stream ends. */
export async function* sseData(body: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const piece of body) {
    buffer += typeof piece === 'string' ? piece : decoder.decode(piece, { stream: true });
    let end: number;
    while ((end = eventEnd(buffer)) >= 0) {
      const raw = buffer.slice(0, end);
      buffer = buffer.slice(end).replace(/^(\r\n|\n|\r){2}|^\r\n\r\n/, '');
      const data = dataOf(raw);
      if (data !== undefined) yield data;
    }
  }
  const data = dataOf(buffer);
  if (data !== undefined && buffer.trim() !== '') yield data;
}

function eventEnd(s: string): number {
  const m = /\r\n\r\n|\n\n|\r\r/.exec(s);
  return m ? m.index : -1;
}

function dataOf(raw: string): string | undefined {
  const lines = raw.split(/\r\n|\n|\r/).filter((l) => l.startsWith('data:'));
  if (lines.length === 0) return undefined;
  return lines.map((l) => l.slice(5).replace(/^ /, '')).join('\n');
}
