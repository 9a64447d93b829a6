// One AbortController per request, aborted the moment the client goes away, so the upstream
// call is cancelled at once. The *response's* `close` is the signal: the request's `close`
// already fires when a POST body has been read (reference/ecosystem.md §2.3).
import type { FastifyReply } from 'fastify';

export function abortWhenClientLeaves(reply: FastifyReply): AbortController {
  const abort = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished && !abort.signal.aborted) abort.abort(new Error('client closed the connection'));
  });
  return abort;
}
