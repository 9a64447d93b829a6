// One line per finished request: `request completed` (info), or `request errored` (warn) when
// the status is 5xx or the response was cut before it finished. A plain Fastify hook instead of
// a logging middleware: no child logger, no async context, and nothing at all per request when
// the level hides both lines.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

export function registerRequestLogging(fastify: FastifyInstance, logger: Logger): void {
  // The level is fixed for the gateway's life, so this is decided once: at `error` and above
  // (or `silent`) no hook is added and requests pay nothing.
  if (!logger.isLevelEnabled('warn')) return;
  const completedLines = logger.isLevelEnabled('info');

  fastify.addHook('onRequest', (request, reply, done) => {
    const startedAt = Date.now();
    const raw = reply.raw;
    // `close`, not Fastify's onResponse: a streamed response written to the raw socket after
    // reply.hijack() never reaches onResponse, and `close` also fires when the client leaves.
    raw.once('close', () => {
      const errored = raw.statusCode >= 500 || !raw.writableEnded;
      if (!errored && !completedLines) return;
      const line = {
        reqId: request.id,
        req: { method: request.raw.method, url: request.raw.url },
        res: { statusCode: raw.statusCode },
        responseTime: Date.now() - startedAt,
      };
      if (errored) logger.warn(line, 'request errored');
      else logger.info(line, 'request completed');
    });
    done();
  });
}
