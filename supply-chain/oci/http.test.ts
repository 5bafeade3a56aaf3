/**
 * The transport's chunked bodies: every chunk reaches the server in order
 * and is reported written once (after its write completed), and a failure
 * of the chunks' source fails the request with that error.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drain, Transport } from './http.js';

let server: Server;
let url: URL;
const received: Buffer[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/refuse') {
      // Answers at once without reading the body, and hangs up.
      res.writeHead(401, { connection: 'close' });
      res.end('no', () => req.socket.destroy());
      return;
    }
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      received.push(Buffer.concat(parts));
      res.end('ok');
    });
    req.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/upload`);
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('Transport with a chunked body', () => {
  it('writes every chunk in order and reports each written once, after the socket took it', async () => {
    const transport = new Transport();
    const chunks = Array.from({ length: 12 }, (_, i) => Buffer.alloc(700_000 + i, i));
    const written: Buffer[] = [];
    let handedOut = 0;
    const total = chunks.reduce((n, c) => n + c.length, 0);
    const res = await transport.request('PUT', url, { 'content-length': String(total) }, {
      chunks: async function* () {
        for (const c of chunks) {
          handedOut++;
          yield c;
          // The consumer asks for the next chunk only after this one is written or queued; never reported before it was handed out.
          expect(written.length).toBeLessThanOrEqual(handedOut);
        }
      },
      written: (c) => written.push(c),
    });
    await drain(res);
    expect(res.statusCode).toBe(200);
    expect(received.at(-1)!.equals(Buffer.concat(chunks))).toBe(true);
    // The very chunks handed out, each once, in order (compared by identity: toEqual on 8 MB of buffers is slow).
    expect(written.length).toBe(chunks.length);
    expect(written.every((c, i) => c === chunks[i])).toBe(true);
    transport.close();
  });

  it('stops taking chunks when the server answers early and hangs up', async () => {
    const transport = new Transport();
    let taken = 0;
    let closed = false;
    const res = await transport.request('PUT', new URL('/refuse', url), { 'content-length': String(256 << 20) }, {
      chunks: async function* () {
        try {
          for (let i = 0; i < 256; i++) {
            taken++;
            yield Buffer.alloc(1 << 20, i);
          }
        } finally {
          closed = true;
        }
      },
      written: () => undefined,
    });
    expect(res.statusCode).toBe(401);
    await drain(res);
    for (let i = 0; i < 100 && !closed; i++) await new Promise((r) => setTimeout(r, 20));
    expect(closed).toBe(true);
    expect(taken).toBeLessThan(256);
    transport.close();
  });

  it('fails the request with the error of its chunks\' source, reporting nothing it did not write', async () => {
    const transport = new Transport();
    const written: Buffer[] = [];
    const broken = Object.assign(new Error('the archive ends inside a block'), { code: 'EZSTD' });
    const request = transport.request('PUT', url, { 'content-length': '1000000' }, {
      chunks: async function* () {
        yield Buffer.alloc(1000, 1);
        throw broken;
      },
      written: (c) => written.push(c),
    });
    await expect(request).rejects.toBe(broken);
    expect(written.length).toBeLessThanOrEqual(1);
    transport.close();
  });
});
