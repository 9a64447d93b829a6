// The one root pino logger of a gateway: JSON lines at the configured level (or, with
// `--log-format pretty`, pino-pretty's text for a person at a terminal). Everything logs through
// it — Nest's `Logger` via PinoLoggerService, finished requests via request-logging.ts, and
// `byokey serve`'s own start, signal and fatal lines — so stdout stays one format.
// There is no per-request child logger and no async context: a line about a request names its
// id itself (`reqId`). Any live async-context store turns on Node's promise hooks for the whole
// process, which taxes every await of every streamed response.
import { urlWithoutKey } from '../common/url-without-key';
import pino, { type Logger } from 'pino';
import { redactSecrets } from '../common/redact-secrets';
import { TurnBufferedStdout } from './turn-buffered-stdout';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export type LogFormat = 'json' | 'pretty';
export const LOG_FORMATS: readonly LogFormat[] = ['json', 'pretty'];

/**
 * @param destination where lines go (default stdout); tests pass a stream to read them.
 * @param format `pretty` formats each line in this thread, synchronously: a worker-thread
 *   transport would lose the last lines when the process exits right after a fatal one.
 */
export function createRootLogger(level: LogLevel, destination?: NodeJS.WritableStream, format: LogFormat = 'json'): Logger {
  const options: pino.LoggerOptions = {
    level,
    // Log what identifies a request, never its headers (they carry API keys), even if someone
    // passes a whole request or response under `req` / `res`.
    serializers: {
      req: (req: { method?: string; url?: string }) => ({ method: req.method, url: urlWithoutKey(req.url) }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      err: serializeError,
    },
  };
  if (format === 'pretty') {
    // Loaded only when asked for: JSON, the default, does not pay for it.
    const pretty = require('pino-pretty') as typeof import('pino-pretty');
    const colorize = destination === undefined && process.stdout.isTTY === true;
    return pino(options, pretty({ colorize, sync: true, destination: destination ?? 1 }));
  }
  if (destination) return pino(options, destination);
  // stdout: the lines of one event-loop turn in one write (turn-buffered-stdout.ts says what
  // that saves over pino's own destinations).
  return pino(options, new TurnBufferedStdout(1));
}

/**
 * pino's error serializer, with key-shaped secrets redacted from the message and stack (causes
 * included). Upstream errors arrive clean (redacted where they are built); this covers an
 * unexpected error that quotes what it choked on.
 */
function serializeError(error: unknown): unknown {
  const out = pino.stdSerializers.err(error as Error) as unknown;
  if (out === null || typeof out !== 'object') return out;
  const fields = out as { message?: unknown; stack?: unknown };
  if (typeof fields.message === 'string') fields.message = redactSecrets(fields.message);
  if (typeof fields.stack === 'string') fields.stack = redactSecrets(fields.stack);
  return out;
}
