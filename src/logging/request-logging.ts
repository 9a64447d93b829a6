// One line per finished request: `request completed` (info); `request refused` (info) for a 4xx;
// `request errored` (warn) when the status is 5xx, the response was cut before it finished, or
// a stream ended in an error event. A line about a failure says why — the error's type, code and
// message — and, when known, the model asked for and the instance that served or failed it
// (request-notes.ts). A plain Fastify hook instead of a logging middleware: no child logger, no
// async context, and nothing at all per request when the level hides every line.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { requestNotes } from './request-notes';

/** Health probes: not logged (readiness changes are logged where they happen). */
const PROBE_URLS: ReadonlySet<string> = new Set(['/healthz', '/readyz']);

export function registerRequestLogging(fastify: FastifyInstance, logger: Logger): void {
  // The level is fixed for the gateway's life, so this is decided once: at `error` and above
  // (or `silent`) no hook is added and requests pay nothing.
  if (!logger.isLevelEnabled('warn')) return;
  const completedLines = logger.isLevelEnabled('info');

  fastify.addHook('onRequest', (request, reply, done) => {
    // A balancer probes several times a second; its answers are no request worth a line.
    if (PROBE_URLS.has(request.raw.url ?? '')) return done();
    const startedAt = Date.now();
    const raw = reply.raw;
    // `close`, not Fastify's onResponse: a streamed response written to the raw socket after
    // reply.hijack() never reaches onResponse, and `close` also fires when the client leaves.
    raw.once('close', () => {
      const notes = requestNotes(request.raw);
      const errored = raw.statusCode >= 500 || !raw.writableEnded || notes?.error?.inStream === true;
      const refused = !errored && raw.statusCode >= 400;
      if (!errored && !completedLines) return;
      const line: Record<string, unknown> = {
        reqId: request.id,
        req: { method: request.raw.method, url: request.raw.url },
        res: { statusCode: raw.statusCode },
        responseTime: Date.now() - startedAt,
      };
      if (notes?.model !== undefined) line.model = notes.model;
      if (notes?.instance !== undefined) line.instance = notes.instance;
      if (notes?.error) line.error = notes.error;
      if (errored) logger.warn(line, 'request errored');
      else logger.info(line, refused ? 'request refused' : 'request completed');
    });
    done();
  });
}
