// `byokey serve`: load providers.yaml, start the gateway, and drain on SIGTERM/SIGINT: /readyz
// turns 503 at once, new requests are served for server.drain_grace_ms more, then new connections
// are refused and open streams finish within server.drain_ms; the process exits 0.
// Everything it says once running-or-trying goes through the root logger, so stdout is JSON lines
// only (or pino-pretty's text with --log-format pretty): one "byokey started" line, the signal and
// shutdown lines, and a fatal line for whatever stops it from starting (a port in use, a bad
// providers.yaml, a store it cannot open). `--help` and usage mistakes stay plain text on the
// terminal: they are for a person, and no log exists yet.
import type { Logger } from 'pino';
import { ConfigError } from '../config/config-error';
import { BUILT_IN_DEFAULTS, loadGatewayConfig } from '../config/config.loader';
import { ensureByokeyHome } from '../config/byokey-home';
import { listenHostProblem } from '../config/listen-host';
import { createRootLogger, LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from '../logging/logger-options';
import { StoreError } from '../store/store-error';
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, UsageError, type CliIo } from './cli-io';
import { parseCommandArgs, type CommandSpec } from './command-spec';
import { byokeyVersion } from './version';

export const SERVE_USAGE = `Usage: byokey serve [--config FILE] [--host HOST] [--port PORT] [--log-level LEVEL] [--log-format FORMAT]

Starts the gateway. Logs go to stdout as JSON lines: one when it starts, one per finished
request, one when it stops (or a fatal one saying why it could not start).

Options:
  -c, --config FILE     providers.yaml to use (default: ./providers.yaml if present,
                        else built-in defaults)
      --host HOST       address to listen on (default: server.host, else 127.0.0.1)
  -p, --port PORT       port to listen on (default: server.port, else 8018; 0 = any free port)
      --log-level LEVEL ${LOG_LEVELS.join(' | ')} (default: $BYOKEY_LOG_LEVEL, else info)
      --log-format FORMAT
                        json (one JSON object a line, for log collectors) | pretty
                        (readable text, for a person at a terminal)
                        (default: $BYOKEY_LOG_FORMAT, else json)
  -h, --help            show this help

Environment:
  BYOKEY_HOME           data directory (default ~/.byokey)`;

const SERVE_OPTIONS = {
  config: { type: 'string', short: 'c' },
  host: { type: 'string' },
  port: { type: 'string', short: 'p' },
  'log-level': { type: 'string' },
  'log-format': { type: 'string' },
} as const;

export const SERVE_COMMAND: CommandSpec<typeof SERVE_OPTIONS> = {
  path: 'serve',
  summary: 'start the gateway',
  usage: SERVE_USAGE,
  options: SERVE_OPTIONS,
  optionValues: { 'log-level': LOG_LEVELS, 'log-format': LOG_FORMATS },
};

export async function serveCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(SERVE_COMMAND, argv);
  const port = values.port === undefined ? undefined : parsePort(values.port);
  const host = values.host === undefined ? undefined : parseHost(values.host);
  const logLevel = parseChoice('--log-level', LOG_LEVELS, values['log-level'] ?? process.env.BYOKEY_LOG_LEVEL ?? 'info');
  const logFormat = parseChoice('--log-format', LOG_FORMATS, values['log-format'] ?? process.env.BYOKEY_LOG_FORMAT ?? 'json');
  // Made before the configuration loads, so a configuration error is a log line like any other.
  const logger = createRootLogger(logLevel, undefined, logFormat);

  let config;
  try {
    config = loadGatewayConfig({ file: values.config });
  } catch (error) {
    if (error instanceof ConfigError) return fatal(logger, error.message, { issues: error.issues });
    throw error;
  }
  const server = { ...config.server, host: host ?? config.server.host, port: port ?? config.server.port };
  config = { ...config, server };
  const home = ensureByokeyHome();

  // Ctrl-C before the gateway is up stops the start: nothing is serving yet, so there is nothing
  // to drain, and the exit says "interrupted" (130) like any command stopped by Ctrl-C. One SIGINT
  // listener for the whole life, whose meaning changes once the gateway is up: removing a
  // listener and adding another drops a signal that arrived meanwhile but was not yet dispatched
  // (Node closes the old signal handle), which is how a Ctrl-C during the start went unheard.
  let onSigint: (signal: NodeJS.Signals) => void = () => {
    logger.warn({ signal: 'SIGINT' }, 'SIGINT received while starting, stopping');
    process.exit(EXIT_INTERRUPTED);
  };
  process.on('SIGINT', (signal) => onSigint(signal));
  // From here a Ctrl-C stops the start (a test waits for this line to send one at a known moment).
  logger.debug({ config: config.source }, 'loading the gateway');
  // Written now, not after the turn: the loading below is long and synchronous.
  logger.flush();

  // Nest and the app load only here, so `--help` and config errors answer at once.
  const { drainGateway, createGateway, gatewaySummary } = require('../gateway') as typeof import('../gateway');
  let app: Awaited<ReturnType<typeof createGateway>> | undefined;
  try {
    app = await createGateway(config, { logger, home, guardProcess: true });
    await app.listen(server.port, server.host);
  } catch (error) {
    await app?.close().catch(() => undefined);
    if (error instanceof ConfigError) return fatal(logger, error.message, { issues: error.issues });
    if (error instanceof StoreError) return fatal(logger, error.message);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      return fatal(logger, `${formatHost(server.host)}:${server.port} is already in use; choose another port with --port or server.port`, { code });
    }
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      return fatal(logger, `cannot listen on ${server.host}: no such local address`, { code });
    }
    return fatal(logger, 'byokey could not start', { err: error });
  }

  // The start's loading is synchronous, so a Ctrl-C pressed meanwhile waits for the event loop
  // to turn: let it turn once, so that Ctrl-C still means "stop the start" (130), not a drain.
  await new Promise((resolve) => setImmediate(resolve));
  const running = app;
  const address = running.getHttpServer().address();
  const actualPort = typeof address === 'object' && address ? address.port : server.port;
  const source = config.source === BUILT_IN_DEFAULTS ? BUILT_IN_DEFAULTS : config.source;
  const stopped = new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn({ signal }, `${signal} again, exiting now`);
        process.exit(EXIT_INTERRUPTED);
      }
      stopping = true;
      const grace = server.drainGraceMs > 0 ? `, taking new ones for ${server.drainGraceMs} ms while /readyz says draining` : '';
      logger.info({ signal }, `${signal} received, finishing open requests (up to ${server.shutdownTimeoutMs} ms)${grace}`);
      drainGateway(running, server).then(
        () => {
          logger.info('byokey stopped');
          resolve(EXIT_OK);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'error during shutdown');
          resolve(EXIT_FAILURE);
        },
      );
    };
    // `on`, not `once`: the same signal twice must reach `stop` to force the exit.
    process.on('SIGTERM', stop);
    onSigint = stop;
  });
  // Only now: whoever waits for this line may send SIGTERM the moment it reads it.
  logger.info(
    { version: byokeyVersion(), address: `http://${formatHost(server.host)}:${actualPort}`, config: source, ...gatewaySummary(running) },
    'byokey started',
  );
  return stopped;
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new UsageError(`--port must be a number from 0 to 65535, got "${text}"`);
  return port;
}

function parseHost(text: string): string {
  const problem = listenHostProblem(text);
  if (problem) throw new UsageError(`--host ${problem}, got ${JSON.stringify(text)}`);
  return text;
}

function parseChoice<T extends LogLevel | LogFormat>(option: string, choices: readonly T[], text: string): T {
  if (!(choices as readonly string[]).includes(text)) throw new UsageError(`${option} must be one of ${choices.join(', ')}, got "${text}"`);
  return text as T;
}

/** Why serve cannot start, as one fatal log line; the exit code that goes with it. */
function fatal(logger: Logger, message: string, fields: Record<string, unknown> = {}): number {
  logger.fatal(fields, message);
  return EXIT_FAILURE;
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
