// Nest's LoggerService over the root pino logger, so every `new Logger(Context)` in the code
// writes JSON lines. The argument mapping is the one of the Nest-pino library we used before
// (replaced to drop its per-request middleware and async context, see logger-options.ts):
// - Nest's Logger appends the context (the class name) as the last parameter: it becomes the
//   `context` field;
// - an object first argument is merged into the line, an Error becomes `err`;
// - otherwise the first argument is the message and the remaining parameters its printf-style
//   arguments;
// - `error(message, stack)` — how Nest's own exception handlers sometimes call it — becomes an
//   `err` carrying that stack.
import type { LoggerService } from '@nestjs/common';
import type { Level, Logger } from 'pino';

/**
 * Nest's own contexts whose `log` lines are bootstrap chatter — a line per module loaded, per
 * controller and per route mapped, "Nest application successfully started" (printed before the
 * port is even known to be free) — about 30 lines that say nothing an operator acts on. They go
 * to debug; `byokey serve` writes one "byokey started" line instead. Their warnings and errors
 * keep their level. Add a context here when a Nest upgrade brings new chatter.
 */
export const BOOTSTRAP_CONTEXTS: ReadonlySet<string> = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
  'WebSocketsController',
]);

export class PinoLoggerService implements LoggerService {
  constructor(private readonly logger: Logger) {}

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  log(message: unknown, ...params: unknown[]): void {
    const context = params.length > 0 ? params[params.length - 1] : undefined;
    this.write(typeof context === 'string' && BOOTSTRAP_CONTEXTS.has(context) ? 'debug' : 'info', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write(isRethrownListenError(message, params) ? 'debug' : 'error', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    // A disabled level costs one check, not an object built for nothing.
    if (!this.logger.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = {};
    let args = params;
    if (args.length > 0) {
      fields.context = args[args.length - 1];
      args = args.slice(0, -1);
      // Nest's Logger.error with a context but no parameters passes (message, undefined, context).
      if (args.length === 1 && args[0] === undefined) args = [];
    }
    if (typeof message === 'object' && message !== null) {
      if (message instanceof Error) fields.err = message;
      else Object.assign(fields, message);
      this.logger[level](fields, ...(args as [string?]));
    } else if (isMessageAndStack(level, message, args)) {
      const err = new Error(message as string);
      err.stack = args[0] as string;
      fields.err = err;
      this.logger[level](fields);
    } else {
      this.logger[level](fields, message as string, ...args);
    }
  }
}

/** `error('message', 'Error: message\n    at ...')`: Nest's exception handlers' contract. */
function isMessageAndStack(level: Level, message: unknown, args: unknown[]): boolean {
  return level === 'error' && typeof message === 'string' && args.length === 1 && typeof args[0] === 'string' && /\n\s*at /.test(args[0]);
}

/**
 * NestApplication.listen logs a failed listen (`Error: listen EADDRINUSE: …`) and then rejects
 * with it; `byokey serve` turns that rejection into one fatal line saying what to do, so Nest's
 * copy would only be a second, vaguer line about the same thing.
 */
function isRethrownListenError(message: unknown, params: unknown[]): boolean {
  return typeof message === 'string' && message.startsWith('Error: listen ') && params[params.length - 1] === 'NestApplication';
}
