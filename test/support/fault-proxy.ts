/**
 * An HTTP proxy in front of a test registry that misbehaves on request:
 * it can cut the connection half-way through a blob (once), or flip a byte
 * of a blob or manifest (fetched by digest) as it passes. It records every request (method, path, Range),
 * so tests can see a resumed download and a cache that fetched nothing.
 */
import { createServer, request, type Server } from 'node:http';

/** A running proxy: `host` is `127.0.0.1:<port>`. */
export interface FaultProxy {
  readonly host: string;
  /** Requests seen: `METHOD path [range]`. */
  readonly log: string[];
  /** Cut the next full GET of this blob after half its bytes. */
  cutOnce(digest: string): void;
  /** Flip one byte of every GET of this blob from now on. */
  corrupt(digest: string): void;
  /** Serve every blob faithfully again. */
  heal(): void;
  stop(): Promise<void>;
}

/** Starts a proxy to the registry at `upstream` (`127.0.0.1:<port>`). */
export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const [upHost, upPort] = upstream.split(':') as [string, string];
  const log: string[] = [];
  const cut = new Set<string>();
  const corrupted = new Set<string>();
  const server: Server = createServer((req, res) => {
    const range = req.headers.range;
    log.push(`${req.method} ${req.url}${range ? ` ${range}` : ''}`);
    const blob = /\/(?:blobs|manifests)\/(sha256:[0-9a-f]{64})$/.exec(req.url ?? '')?.[1];
    const headers = { ...req.headers, host: upstream };
    const up = request({ host: upHost, port: Number(upPort), method: req.method, path: req.url, headers }, (upRes) => {
      const cutThis = req.method === 'GET' && blob !== undefined && cut.has(blob) && !range && upRes.statusCode === 200;
      const corruptThis = req.method === 'GET' && blob !== undefined && corrupted.has(blob) && (upRes.statusCode === 200 || upRes.statusCode === 206);
      // Rewrite redirects and upload locations that name the upstream.
      const outHeaders = { ...upRes.headers };
      if (typeof outHeaders.location === 'string') outHeaders.location = outHeaders.location.replace(`http://${upstream}`, `http://${req.headers.host}`);
      res.writeHead(upRes.statusCode ?? 502, outHeaders);
      if (cutThis) {
        cut.delete(blob);
        const total = Number(upRes.headers['content-length'] ?? 0);
        const half = Math.floor(total / 2);
        if (half === 0) {
          upRes.destroy();
          res.socket?.destroy();
          return;
        }
        let sent = 0;
        upRes.on('data', (chunk: Buffer) => {
          if (sent >= half) return;
          const take = Math.min(chunk.length, half - sent);
          sent += take;
          if (sent < half) {
            res.write(chunk.subarray(0, take));
            return;
          }
          upRes.destroy();
          // Drop the connection mid-body once the half has reached the kernel (the write's callback), not
          // after a fixed delay: on a busy machine the half could still be queued in the process, and
          // destroying the socket would discard it (the client would then rightly start over from byte 0).
          res.write(chunk.subarray(0, take), () => setTimeout(() => res.socket?.destroy(), 20));
        });
        return;
      }
      if (corruptThis) {
        let first = true;
        upRes.on('data', (chunk: Buffer) => {
          if (first && chunk.length > 0) {
            const c = Buffer.from(chunk);
            c[c.length - 1] = c[c.length - 1]! ^ 0xff;
            res.write(c);
            first = false;
          } else res.write(chunk);
        });
        upRes.on('end', () => res.end());
        return;
      }
      upRes.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    host: `127.0.0.1:${port}`,
    log,
    cutOnce: (d) => void cut.add(d),
    corrupt: (d) => void corrupted.add(d),
    heal: () => {
      cut.clear();
      corrupted.clear();
    },
    stop: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
