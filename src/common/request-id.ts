// The request id: the client's `x-request-id` when it sent a usable one, else a new UUID. It is
// echoed on the response and carried by every log line of the request.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';

/** Printable ASCII without spaces, bounded, so a client cannot inject into logs or headers. */
const USABLE_ID = /^[\x21-\x7e]{1,200}$/;

/**
 * Fastify's genReqId hook. It also stores the id on the raw request (`req.id`), which is where
 * pino-http looks for it, so Fastify and the log lines agree on one id.
 */
export function requestIdFor(req: IncomingMessage): string {
  const header = req.headers[REQUEST_ID_HEADER];
  const id = typeof header === 'string' && USABLE_ID.test(header) ? header : randomUUID();
  (req as IncomingMessage & { id?: string }).id = id;
  return id;
}
