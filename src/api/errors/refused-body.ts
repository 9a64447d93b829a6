// What happens to the rest of a body the gateway refused (413) while the client is still sending
// it. Fastify asks for `Connection: close`, and Node then closes the socket the moment the 413 is
// written; the client's next bytes hit a closed socket, the kernel answers with a reset, and the
// reset can destroy the 413 before the client reads it — the client sees ECONNRESET instead of a
// reason. So, like nginx's lingering close, the connection stays open and the rest of the body
// is read and thrown away (nothing is kept), for a bounded time.
import type { IncomingMessage } from 'node:http';
import type { FastifyReply } from 'fastify';

/** How long a client may go on sending a refused body before the connection is cut. */
export const REFUSED_BODY_LINGER_MS = 2000;

export function lingerOverRefusedBody(request: IncomingMessage, reply: FastifyReply): void {
  const socket = request.socket;
  if (request.complete || socket.destroyed) return;
  reply.removeHeader('connection');
  // Fastify's body reader let go of the stream in flowing mode: what still arrives is dropped.
  request.resume();
  const cut = setTimeout(() => {
    if (!request.complete) socket.destroy();
  }, REFUSED_BODY_LINGER_MS);
  cut.unref();
  socket.once('close', () => clearTimeout(cut));
}
