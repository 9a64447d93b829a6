// The request id: the client's `x-request-id` when it sent a usable one, else a new UUID. It is
// echoed on the response and carried by every log line of the request.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';

/** Printable ASCII without spaces, bounded, so a client cannot inject into logs or headers. */
const USABLE_ID = /^[\x21-\x7e]{1,200}$/;

/** Fastify's genReqId hook: the id becomes `request.id`, which log lines carry as `reqId`. */
export function requestIdFor(req: IncomingMessage): string {
  const header = req.headers[REQUEST_ID_HEADER];
  return typeof header === 'string' && USABLE_ID.test(header) ? header : randomUUID();
}
