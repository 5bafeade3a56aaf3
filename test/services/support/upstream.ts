/**
 * A real OpenAI-compatible HTTP server on 127.0.0.1 to stand in for an
 * upstream (vLLM): it answers chat (whole and streamed), embeddings and
 * models, records what it was sent, and can fail, hang, break a stream or be
 * killed (every connection reset, the port closed).
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** How the server behaves on its next calls. */
export type UpstreamMode =
  | { readonly kind: 'ok' }
  | { readonly kind: 'status'; readonly status: number; readonly message?: string }
  | { readonly kind: 'hang' }
  /** Streams `after` chunks, then resets every connection and stops listening. */
  | { readonly kind: 'die-mid-stream'; readonly after: number };

/** One chat request body as received. */
export interface ReceivedChat {
  readonly model: string;
  readonly messages: { role: string; content: string }[];
  readonly stream?: boolean;
}

/** A running test upstream. */
export interface TestUpstream {
  /** Base URL including `/v1`. */
  readonly baseUrl: string;
  mode: UpstreamMode;
  /** Answer text for a chat request (default: the configured text). */
  answer: (body: ReceivedChat) => string;
  /** Milliseconds between streamed chunks. */
  chunkDelayMs: number;
  /** Every chat request received, including those answered with an error status. */
  readonly chats: ReceivedChat[];
  /** Streams whose connection the caller closed before the answer was complete. */
  readonly streamsCut: number;
  readonly embeddingCalls: string[][];
  /** The Authorization header of every request, in order (undefined when absent). */
  readonly authorizations: (string | undefined)[];
  /** Resets every connection and stops listening (the process "dies"). */
  kill(): Promise<void>;
  close(): Promise<void>;
}

/** A deterministic bag-of-words vector: texts that share words are close. */
export function testEmbedding(text: string, dims = 64): number[] {
  const v = new Array<number>(dims).fill(0);
  for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    let h = 2166136261;
    for (const c of word) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
    v[h % dims]! += 1;
  }
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

/** Splits an answer into stream chunks of one word (with its space). */
export function words(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

/** Starts an upstream named `name` (its model is `${name}-model`) answering `text`. */
export async function startUpstream(name: string, text = `Hello from ${name}.`): Promise<TestUpstream> {
  const sockets = new Set<Socket>();
  let server: http.Server;
  const up: TestUpstream = {
    baseUrl: '',
    mode: { kind: 'ok' },
    answer: () => text,
    chunkDelayMs: 2,
    chats: [],
    streamsCut: 0,
    embeddingCalls: [],
    authorizations: [],
    async kill() {
      for (const s of sockets) s.resetAndDestroy();
      await new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
    },
    async close() {
      await up.kill();
    },
  };
  const model = `${name}-model`;

  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

  server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (b: Buffer) => (raw += b.toString('utf8')));
    req.on('end', () => {
      up.authorizations.push(req.headers.authorization);
      const mode = up.mode;
      const isChat = req.method === 'POST' && req.url === '/v1/chat/completions';
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      if (isChat) up.chats.push(body as unknown as ReceivedChat);
      if (mode.kind === 'hang') return; // never answers
      if (mode.kind === 'status') return json(res, mode.status, { error: { message: mode.message ?? `upstream ${name} failed`, type: 'server_error', code: `http_${mode.status}`, param: null } });
      if (req.method === 'GET' && req.url === '/v1/models') {
        return json(res, 200, { object: 'list', data: [{ id: model, object: 'model', created: 1700000000, owned_by: name, digest: `sha256:${'ab'.repeat(32)}` }] });
      }
      if (req.method === 'POST' && req.url === '/v1/embeddings') {
        const input = Array.isArray(body.input) ? (body.input as string[]) : [String(body.input)];
        up.embeddingCalls.push(input);
        return json(res, 200, { object: 'list', model: String(body.model), data: input.map((t, index) => ({ object: 'embedding', index, embedding: testEmbedding(t) })), usage: { prompt_tokens: input.length, total_tokens: input.length } });
      }
      if (isChat) {
        const chat = body as unknown as ReceivedChat;
        const answer = up.answer(chat);
        const usage = { prompt_tokens: 10, completion_tokens: words(answer).length, total_tokens: 10 + words(answer).length };
        if (!chat.stream) {
          return json(res, 200, { id: 'cmpl-up', object: 'chat.completion', created: 1700000000, model: chat.model, choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }], usage });
        }
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.once('close', () => {
          if (!res.writableFinished) (up as { streamsCut: number }).streamsCut++;
        });
        const pieces = words(answer);
        const frame = (o: unknown) => res.write(`data: ${JSON.stringify(o)}\n\n`);
        let i = 0;
        const next = () => {
          if (mode.kind === 'die-mid-stream' && i === mode.after) {
            void up.kill();
            return;
          }
          if (res.destroyed) return;
          if (i < pieces.length) {
            frame({ id: 'up', object: 'chat.completion.chunk', created: 1700000000, model: chat.model, choices: [{ index: 0, delta: { content: pieces[i++] }, finish_reason: null }] });
            setTimeout(next, up.chunkDelayMs);
            return;
          }
          frame({ id: 'up', object: 'chat.completion.chunk', created: 1700000000, model: chat.model, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
          frame({ id: 'up', object: 'chat.completion.chunk', created: 1700000000, model: chat.model, choices: [], usage });
          res.end('data: [DONE]\n\n');
        };
        next();
        return;
      }
      json(res, 404, { error: { message: 'not found', type: 'invalid_request_error', code: null, param: null } });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (up as { baseUrl: string }).baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return up;
}
