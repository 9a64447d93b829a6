// GET /v1/responses as a WebSocket (the Codex CLI with `supports_websockets = true`): takes the
// HTTP server's upgrades, accepts those for /v1/responses (every model: each response goes
// through the protocol table like an HTTP request), and hands each accepted socket to a
// ResponsesSocket. A refusal (unknown path, no valid key, shutting down) is immediate and in
// OpenAI's error dialect. At shutdown idle sockets close at once, busy ones after
// their response, and the rest at the deadline (closeGateway → ActiveStreams.stopAll). The client
// key is checked on the upgrade (401 JSON without a valid one), and each response's model and the
// key's limits as it starts, like an HTTP request's.
import type { IncomingMessage, Server } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { type BeforeApplicationShutdown, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { WebSocketServer, type WebSocket } from 'ws';
import { AccessControl } from '../../access/access-control.service';
import type { AccessKey } from '../../access/access-key';
import { modelOf } from '../../access/access.guard';
import { GatewayError } from '../../common/gateway-error';
import { REQUEST_ID_HEADER, requestIdFor } from '../../common/request-id';
import { PluginRegistry } from '../../registry/plugin-registry.service';
import { SocketResponseUsage } from '../../usage/socket-response-usage';
import { UsageBus } from '../../usage/usage-bus';
import { toOpenAIError } from '../../translate/error-bodies';
import { toGatewayError } from '../errors/to-gateway-error';
import { responsesClientHeaders } from '../responses-client-headers';
import { ActiveStreams } from '../../health/active-streams';
import { ResponsesSocket } from './responses-socket';
import { ResponsesWsForwarder } from './responses-ws.forwarder';

export const RESPONSES_WS_PATH = '/v1/responses';
@Injectable()
export class ResponsesWebSocketServer implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(ResponsesWebSocketServer.name);
  private readonly sockets = new Set<ResponsesSocket>();
  private wss?: WebSocketServer;
  private draining = false;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly registry: PluginRegistry,
    private readonly forwarder: ResponsesWsForwarder,
    private readonly streams: ActiveStreams,
    private readonly access: AccessControl,
    private readonly usage: UsageBus,
  ) {}

  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!server) return;
    // A frame is one request body: the same bound as HTTP bodies (a larger one closes with 1009).
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.registry.config.server.bodyLimit });
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(request, socket, head));
  }

  beforeApplicationShutdown(): void {
    this.draining = true;
    for (const socket of this.sockets) socket.drain();
  }

  onApplicationShutdown(): void {
    this.wss?.close();
  }

  private onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    // A client that resets mid-handshake must not take the process with it.
    socket.on('error', () => undefined);
    try {
      const path = (request.url ?? '').split('?')[0];
      if (path !== RESPONSES_WS_PATH) {
        return refuse(request, socket, new GatewayError(404, `Unknown route: GET ${path} (WebSocket). WebSockets are served on ${RESPONSES_WS_PATH}.`, { type: 'not_found_error', code: 'unknown_url' }));
      }
      let key: AccessKey | undefined;
      try {
        key = this.access.authenticate(request.headers);
      } catch (error) {
        if (error instanceof GatewayError) return refuse(request, socket, error);
        throw error;
      }
      if (this.draining) {
        return refuse(request, socket, new GatewayError(503, 'The gateway is shutting down.', { type: 'server_error', code: 'gateway_shutting_down' }));
      }
      const requestId = requestIdFor(request);
      const wss = this.wss!;
      const echoId = (headers: string[]) => headers.push(`${REQUEST_ID_HEADER}: ${requestId}`);
      wss.once('headers', echoId);
      wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws, request, requestId, key));
      // handleUpgrade refuses a malformed handshake without emitting 'headers'.
      wss.off('headers', echoId);
    } catch (error) {
      this.logger.error({ err: error }, 'responses websocket: upgrade failed');
      socket.destroy();
    }
  }

  private accept(ws: WebSocket, request: IncomingMessage, requestId: string, key: AccessKey | undefined): void {
    const clientHeaders = responsesClientHeaders(request.headers);
    const traceparent = typeof request.headers.traceparent === 'string' ? request.headers.traceparent : undefined;
    let responses = 0;
    const connection = new ResponsesSocket({
      socket: ws,
      start: async (body, context) => {
        // Each response is metered and limited like one HTTP request.
        const model = modelOf(body);
        const usage = new SocketResponseUsage(this.usage, { requestId: context.requestId, keyId: key?.id, keyName: key?.name, model, traceparent });
        const failure = (error: unknown) => {
          const failed = toGatewayError(error, { requestId: context.requestId });
          return { status: failed.status, type: failed.type };
        };
        let release: () => void;
        try {
          release = await this.access.admit(key, model, true);
        } catch (error) {
          const failed = failure(error);
          usage.failed(failed.status, failed.type);
          throw error;
        }
        try {
          const events = await this.forwarder.start(body, { ...context, clientHeaders, watch: usage.meter() });
          return releasedAtEnd(usage.recorded(events, failure), release);
        } catch (error) {
          release();
          const failed = failure(error);
          usage.failed(failed.status, failed.type);
          throw error;
        }
      },
      nextRequestId: () => `${requestId}:${++responses}`,
      streams: this.streams,
      logger: this.logger,
    });
    this.sockets.add(connection);
    ws.once('close', () => this.sockets.delete(connection));
    if (this.draining) connection.drain();
  }
}

/** The response's events, freeing what the key's limits hold (its concurrency slot) when they end or are abandoned. */
async function* releasedAtEnd(events: AsyncIterable<string>, release: () => void): AsyncGenerator<string> {
  try {
    yield* events;
  } finally {
    release();
  }
}

/** An HTTP answer written straight onto the upgrade's socket (there is no reply object), then closed. */
function refuse(request: IncomingMessage, socket: Duplex, error: GatewayError): void {
  const body = JSON.stringify(toOpenAIError(error));
  const lines = [
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}`,
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(body)}`,
    `${REQUEST_ID_HEADER}: ${requestIdFor(request)}`,
    'connection: close',
  ];
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}
