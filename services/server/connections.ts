/**
 * Graceful close of the HTTP server. Node's `server.close()` ends only
 * keep-alive connections between requests; a connection that was opened but
 * never sent a request (clients pre-connect) stays until the headers timeout,
 * about a minute. Here every connection without a request in flight is ended
 * at once when the app closes, a busy one as soon as its answer is out, and
 * whatever is left after the grace period is cut.
 */
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** Ends a socket once what was written to it is flushed. */
function endSocket(socket: Socket): void {
  if (socket.destroyed) return;
  if (socket.writableLength === 0) {
    socket.destroy();
    return;
  }
  socket.once('finish', () => socket.destroy());
  socket.end();
}

/** Tracks the in-flight requests per connection and ends connections on close, cutting the rest after `graceMs`. */
export function installGracefulClose(app: FastifyInstance, graceMs: number): void {
  const inFlight = new Map<Socket, number>();
  let closing = false;
  let timer: NodeJS.Timeout | undefined;

  app.server.on('connection', (socket: Socket) => {
    inFlight.set(socket, 0);
    socket.once('close', () => inFlight.delete(socket));
  });
  app.server.on('request', (request: { socket: Socket }, response: { once(e: 'close', f: () => void): void }) => {
    const socket = request.socket;
    if (!inFlight.has(socket)) return;
    inFlight.set(socket, inFlight.get(socket)! + 1);
    response.once('close', () => {
      const left = (inFlight.get(socket) ?? 1) - 1;
      if (inFlight.has(socket)) inFlight.set(socket, left);
      if (closing && left === 0) endSocket(socket);
    });
  });

  app.addHook('preClose', (done) => {
    closing = true;
    for (const [socket, n] of inFlight) if (n === 0) endSocket(socket);
    if (inFlight.size > 0) {
      timer = setTimeout(() => {
        for (const socket of inFlight.keys()) socket.destroy();
      }, graceMs);
      timer.unref();
    }
    done();
  });
  app.server.once('close', () => clearTimeout(timer));
}
