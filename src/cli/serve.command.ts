// `byokey serve`: load providers.yaml, start the gateway, and drain on SIGTERM/SIGINT: /readyz
// turns 503 at once, new requests are served for server.drain_grace_ms more, then new connections
// are refused and open streams finish within server.drain_ms; the process exits 0.
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/config-error';
import { BUILT_IN_DEFAULTS, loadGatewayConfig } from '../config/config.loader';
import { ensureByokeyHome } from '../config/byokey-home';
import { listenHostProblem } from '../config/listen-host';
import { LOG_LEVELS, type LogLevel } from '../logging/logger-options';
import { StoreError } from '../store/store-error';
import { EXIT_FAILURE, EXIT_OK, UsageError, type CliIo } from './cli-io';
import { byokeyVersion } from './version';

export const SERVE_USAGE = `Usage: byokey serve [--config FILE] [--host HOST] [--port PORT] [--log-level LEVEL]

Starts the gateway.

Options:
  -c, --config FILE     providers.yaml to use (default: ./providers.yaml if present,
                        else built-in defaults)
      --host HOST       address to listen on (default: server.host, else 127.0.0.1)
  -p, --port PORT       port to listen on (default: server.port, else 8018; 0 = any free port)
      --log-level LEVEL ${LOG_LEVELS.join(' | ')} (default: $BYOKEY_LOG_LEVEL, else info)
  -h, --help            show this help

Environment:
  BYOKEY_HOME           data directory (default ~/.byokey)`;

export async function serveCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string', short: 'c' },
      host: { type: 'string' },
      port: { type: 'string', short: 'p' },
      'log-level': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    io.out(SERVE_USAGE);
    return EXIT_OK;
  }
  const port = values.port === undefined ? undefined : parsePort(values.port);
  const host = values.host === undefined ? undefined : parseHost(values.host);
  const logLevel = parseLogLevel(values['log-level'] ?? process.env.BYOKEY_LOG_LEVEL ?? 'info');

  let config;
  try {
    config = loadGatewayConfig({ file: values.config });
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(`byokey: ${error.message}`);
      return EXIT_FAILURE;
    }
    throw error;
  }
  const server = { ...config.server, host: host ?? config.server.host, port: port ?? config.server.port };
  config = { ...config, server };
  const home = ensureByokeyHome();

  // Nest and the app load only here, so `--help` and config errors answer at once.
  const { drainGateway, createGateway } = require('../gateway') as typeof import('../gateway');
  let app: Awaited<ReturnType<typeof createGateway>> | undefined;
  try {
    app = await createGateway(config, { logLevel, home, guardProcess: true });
    await app.listen(server.port, server.host);
  } catch (error) {
    await app?.close().catch(() => undefined);
    if (error instanceof ConfigError || error instanceof StoreError) {
      io.err(`byokey: ${error.message}`);
      return EXIT_FAILURE;
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      io.err(`byokey: ${server.host}:${server.port} is already in use; choose another port with --port or server.port.`);
      return EXIT_FAILURE;
    }
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      io.err(`byokey: cannot listen on ${server.host}: no such local address.`);
      return EXIT_FAILURE;
    }
    throw error;
  }

  const running = app;
  const address = running.getHttpServer().address();
  const actualPort = typeof address === 'object' && address ? address.port : server.port;
  const source = config.source === BUILT_IN_DEFAULTS ? BUILT_IN_DEFAULTS : config.source;
  io.out(`byokey ${byokeyVersion()} listening on http://${formatHost(server.host)}:${actualPort} (config: ${source})`);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        io.err(`byokey: ${signal} again, exiting now`);
        process.exit(130);
      }
      stopping = true;
      const grace = server.drainGraceMs > 0 ? `, taking new ones for ${server.drainGraceMs} ms while /readyz says draining` : '';
      io.out(`byokey: ${signal} received, finishing open requests (up to ${server.shutdownTimeoutMs} ms)${grace}`);
      drainGateway(running, server).then(
        () => resolve(EXIT_OK),
        (error: unknown) => {
          io.err(`byokey: error during shutdown: ${(error as Error).message}`);
          resolve(EXIT_FAILURE);
        },
      );
    };
    // `on`, not `once`: the same signal twice must reach `stop` to force the exit.
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
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

function parseLogLevel(text: string): LogLevel {
  if (!(LOG_LEVELS as readonly string[]).includes(text)) {
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${text}"`);
  }
  return text as LogLevel;
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
