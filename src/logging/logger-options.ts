// JSON logs through pino: one line per finished request, and every line written while serving a
// request carries its id (nestjs-pino keeps the request in async context).
import type { Params } from 'nestjs-pino';
import type { Options } from 'pino-http';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** @param destination where lines go (default stdout); tests pass a stream to read them. */
export function loggerOptions(level: LogLevel, destination?: NodeJS.WritableStream): Params {
  const options: Options = {
    level,
    // The id Fastify chose (requestIdFor put it on the raw request).
    genReqId: (req) => (req as { id?: string }).id ?? 'unknown',
    // Log what identifies a request, never its headers (they carry API keys).
    serializers: {
      req: (req: { method?: string; url?: string }) => ({ method: req.method, url: req.url }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'warn' : 'info'),
    // pino-http invents an Error ("failed with status code 502", with a stack) for every 5xx;
    // the status says as much, and the cause was already logged where it happened.
    customErrorObject: (_req, res, _error, value) =>
      (res as { err?: unknown }).err ? value : { ...(value as object), err: undefined },
    quietReqLogger: true,
  };
  return { pinoHttp: destination ? [options, destination] : options };
}
