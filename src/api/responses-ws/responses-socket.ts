// One client's Responses WebSocket (reference/wire-protocols.md §1.8): `response.create` frames
// in, each response's events out as text frames holding exactly the JSON that SSE would carry
// after `data:`. One response at a time, as many as the client likes on the connection, which
// stays open after `response.completed`. A failure becomes an error frame and the connection
// stays usable. The client closing aborts the running response upstream at once. Idle, nothing
// is sent (ws answers pings by itself).
import type { LoggerService } from '@nestjs/common';
import WebSocket from 'ws';
import type { GatewayError } from '../../common/gateway-error';
import type { CallAffinity } from '../../contract/provider-executor';
import { toGatewayError } from '../errors/to-gateway-error';
import type { ActiveStreams, StreamHandle } from '../../health/active-streams';
import { ConnectionAffinity } from './connection-affinity';
import { SocketConversation } from './socket-conversation';
import { errorFrame, parseClientFrame, responseInProgress, shuttingDown } from './ws-frames';

export interface StartContext {
  /** Aborted when the client leaves or the gateway stops the connection. */
  signal: AbortSignal;
  requestId: string;
  affinity: CallAffinity;
  /** The connection's conversation, for the responses served by upstreams that keep none. */
  conversation: SocketConversation;
}

/**
 * Starts one response: resolves once the upstream has accepted it, with its events as JSON
 * texts; rejects (a GatewayError or an upstream failure) when it could not be started.
 */
export type StartResponse = (body: Record<string, unknown>, context: StartContext) => Promise<AsyncIterable<string>>;

export interface ResponsesSocketOptions {
  socket: WebSocket;
  start: StartResponse;
  nextRequestId(): string;
  streams: ActiveStreams;
  logger: LoggerService;
}

/** Above this many unsent bytes, the next event waits until the client has taken them. */
const HIGH_WATER_BYTES = 1 << 20;
/** A client that does not answer our close frame within this is cut off. */
const CLOSE_HANDSHAKE_MS = 2_000;
const SHUTTING_DOWN = 'server shutting down';

export class ResponsesSocket {
  private readonly affinity = new ConnectionAffinity();
  private readonly conversation = new SocketConversation();
  private readonly handle: StreamHandle;
  private running?: AbortController;
  /** Set when shutdown's deadline stopped the running response. */
  private stoppedFor?: GatewayError;
  private draining = false;
  private closed = false;

  constructor(private readonly options: ResponsesSocketOptions) {
    const { socket } = options;
    this.handle = { stop: (reason) => this.stop(reason) };
    options.streams.add(this.handle);
    socket.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    socket.on('close', () => this.onClose());
    // ws closes the socket after an error (a bad frame, a frame over the size limit: 1009).
    socket.on('error', (error) => options.logger.debug?.(`responses websocket: ${error.message}`));
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Shutdown has begun: an idle connection closes now, a busy one after its response. */
  drain(): void {
    this.draining = true;
    if (!this.running) this.close(1001, SHUTTING_DOWN);
  }

  /** Shutdown's deadline: the running response ends with an error frame, then the connection closes. */
  stop(reason: GatewayError): void {
    this.draining = true;
    if (!this.running) return this.close(1001, SHUTTING_DOWN);
    this.stoppedFor = reason;
    this.running.abort(reason);
  }

  private get open(): boolean {
    return !this.closed && this.options.socket.readyState === WebSocket.OPEN;
  }

  private onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    if (!this.open) return;
    if (isBinary) return this.close(1003, 'binary frames are not supported; send JSON text frames');
    const frame = parseClientFrame(textOf(data));
    switch (frame.kind) {
      case 'processed':
        return;
      case 'invalid':
        return void this.send(errorFrame(frame.error));
      case 'create':
        if (this.running) return void this.send(errorFrame(responseInProgress()));
        if (this.draining) {
          void this.send(errorFrame(shuttingDown()));
          return this.close(1001, SHUTTING_DOWN);
        }
        void this.run(frame.body);
    }
  }

  private async run(body: Record<string, unknown>): Promise<void> {
    const abort = new AbortController();
    this.running = abort;
    this.stoppedFor = undefined;
    const requestId = this.options.nextRequestId();
    let iterator: AsyncIterator<string> | undefined;
    try {
      const events = await this.options.start(body, { signal: abort.signal, requestId, affinity: this.affinity, conversation: this.conversation });
      iterator = events[Symbol.asyncIterator]();
      for (;;) {
        const next = await iterator.next();
        if (next.done) break;
        if (!this.open) throw new Error('client closed the connection');
        const wait = this.send(next.value);
        if (wait) await wait;
      }
    } catch (error) {
      // A client that left hears nothing; its close already aborted the upstream.
      if (!this.open) return;
      const gatewayError = toGatewayError(this.stoppedFor ?? error, { requestId });
      void this.send(errorFrame(gatewayError));
      this.options.logger.warn(
        { reqId: requestId, err: gatewayError.status >= 500 ? error : undefined },
        `responses websocket: response failed (${gatewayError.status}): ${gatewayError.message}`,
      );
    } finally {
      this.running = undefined;
      // Lets the upstream's generator run its cleanup (release or close its connection).
      await iterator?.return?.()?.catch(() => undefined);
      if (this.draining) this.close(1001, SHUTTING_DOWN);
    }
  }

  /** Sends a frame; returns a promise only when the client is behind and the caller should wait. */
  private send(text: string): Promise<void> | undefined {
    if (!this.open) return undefined;
    const { socket } = this.options;
    let resolveWritten: (() => void) | undefined;
    socket.send(text, () => resolveWritten?.());
    if (socket.bufferedAmount <= HIGH_WATER_BYTES) return undefined;
    return new Promise((resolve) => {
      resolveWritten = resolve;
    });
  }

  private close(code: number, reason: string): void {
    const { socket } = this.options;
    if (this.closed || socket.readyState !== WebSocket.OPEN) return;
    socket.close(code, reason);
    setTimeout(() => socket.terminate(), CLOSE_HANDSHAKE_MS).unref();
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.running?.abort(new Error('client closed the connection'));
    this.affinity.end();
    this.options.streams.delete(this.handle);
  }
}

function textOf(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Buffer.from(data).toString('utf8');
}
