// Builds and runs the gateway for a loaded configuration: the Nest app on Fastify with our body
// limit and request ids, answers in the API's shape for malformed HTTP and CONNECT, the OpenAPI
// document and /docs, listening,
// and a bounded graceful shutdown. Used by `byokey serve` and by the end-to-end tests, so both
// run the same app.
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { answerClientError, answerConnect } from './api/errors/malformed-http';
import { ActiveStreams } from './health/active-streams';
import { AppModule } from './app.module';
import { REQUEST_ID_HEADER, requestIdFor } from './common/request-id';
import { registerJsonBodyParser } from './api/json-body-parser';
import { registerPassthroughBodies } from './api/amp/passthrough-body';
import { setTimeout as delay } from 'node:timers/promises';
import { ensureByokeyHome } from './config/byokey-home';
import type { GatewayConfig, ServerSettings } from './config/gateway-config';
import { DrainState } from './health/drain-state';
import type { Logger } from 'pino';
import { createRootLogger, type LogLevel } from './logging/logger-options';
import { PinoLoggerService } from './logging/pino-logger.service';
import { installProcessGuard } from './logging/process-guard';
import { requestLogWatcher } from './logging/request-logging';
import { registerFinishedRequests } from './logging/finished-requests';
import { setupOpenApi } from './openapi/openapi';
import { PluginRegistry } from './registry/plugin-registry.service';
import type { TracingOptions } from './tracing/tracing-settings';
import { UsageBus } from './usage/usage-bus';
import { usageRecordWatcher } from './usage/usage-recording';

export interface GatewayOptions {
  /** The root logger to write through (`byokey serve` makes it, to log before and after the app); else one is made from logLevel and logDestination. */
  logger?: Logger;
  logLevel?: LogLevel;
  /** BYOKEY_HOME (must exist); default $BYOKEY_HOME or ~/.byokey, created if needed. */
  home?: string;
  /** Where log lines go (default stdout). */
  logDestination?: NodeJS.WritableStream;
  /** Log and survive errors that escape every request (logging/process-guard.ts); `byokey serve` sets it. */
  guardProcess?: boolean;
  /** Tracing: default from the OTEL_* environment (off without an OTLP endpoint); tests pass an exporter. */
  tracing?: TracingOptions;
}

export async function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.server.bodyLimit,
    genReqId: requestIdFor,
    // Idle keep-alive sockets close at shutdown; busy ones (open streams) are waited for.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // Requests Node's parser refuses get an error body like any other, not Fastify's own shape.
    clientErrorHandler: answerClientError,
  });
  const logger = options.logger ?? createRootLogger(options.logLevel ?? 'info', options.logDestination);
  const unguard = options.guardProcess ? installProcessGuard(logger) : undefined;
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, { home: options.home ?? ensureByokeyHome(), tracing: options.tracing }),
    adapter,
    // Errors (a bad plugin setting, say) reach the caller instead of exiting the process.
    // Nest's body parsers are off: json-body-parser.ts parses, with errors in our own words.
    // Nest's own lines (startup included) go to pino from the start, so nothing is buffered.
    { logger: new PinoLoggerService(logger), abortOnError: false, bodyParser: false },
  );
  const fastify = app.getHttpAdapter().getInstance();
  // Without a listener Node closes a CONNECT request's socket without a word.
  fastify.server.on('connect', answerConnect);
  registerJsonBodyParser(fastify);
  registerPassthroughBodies(fastify);
  // One hook for every finished request: its log line and, for model calls, its usage record.
  const watchers = [requestLogWatcher(logger), usageRecordWatcher(app.get(UsageBus))];
  registerFinishedRequests(fastify, watchers.filter((watcher) => watcher !== undefined));
  const drain = app.get(DrainState);
  // Callback style, not async: no promise per request.
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    // Draining: answer, but have keep-alive clients (a balancer's pooled connections) reconnect,
    // which takes them to an instance that stays.
    if (drain.draining) reply.header('connection', 'close');
    done();
  });
  if (unguard) app.getHttpServer().once('close', unguard);
  // /openapi.json and the Swagger UI at /docs, describing every controller.
  setupOpenApi(app, config);
  await app.init();
  return app;
}

/** What a running gateway serves, for its start line: the enabled instances and how many models the catalog lists. */
export function gatewaySummary(app: NestFastifyApplication): { instances: string[]; models: number } {
  const catalog = app.get(PluginRegistry).catalog;
  return { instances: catalog.instances.filter((i) => i.config.enabled).map((i) => i.name), models: catalog.entries().length };
}

/**
 * SIGTERM's way out, timed from the signal: readiness turns false at once (/readyz 503) while
 * requests are still served until `drainGraceMs`, long enough for the load balancer's health check
 * to notice; then new connections are refused, and streams still open at `shutdownTimeoutMs`
 * (drain_ms) end with an in-stream error (closeGateway).
 */
export async function drainGateway(app: NestFastifyApplication, server: Pick<ServerSettings, 'drainGraceMs' | 'shutdownTimeoutMs'>): Promise<void> {
  const started = Date.now();
  app.get(DrainState).begin(started);
  if (server.drainGraceMs > 0) await delay(server.drainGraceMs);
  await closeGateway(app, Math.max(0, server.shutdownTimeoutMs - (Date.now() - started)));
}

/** After the deadline's in-stream errors are written, how long before sockets are cut. */
const FINAL_FLUSH_MS = 500;

/**
 * Closes the gateway: new connections are refused at once, open streams get `graceMs` to
 * finish, and any still running then end with an in-stream "shutting down" error.
 */
export async function closeGateway(app: NestFastifyApplication, graceMs: number): Promise<void> {
  const streams = app.get(ActiveStreams);
  const server = app.getHttpServer();
  // Keep-alive clients hold their connection after a stream ends; close each as it goes
  // idle, or the server would wait for the client (or a 72 s timeout) before it could close.
  const sweep = setInterval(() => server.closeIdleConnections(), 100);
  const deadline = setTimeout(() => {
    streams.stopAll();
    setTimeout(() => server.closeAllConnections(), FINAL_FLUSH_MS).unref();
  }, graceMs);
  sweep.unref();
  deadline.unref();
  try {
    await app.close();
  } finally {
    clearInterval(sweep);
    clearTimeout(deadline);
  }
}
