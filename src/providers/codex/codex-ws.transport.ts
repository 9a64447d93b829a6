// Codex over a kept-open WebSocket (reference/wire-protocols.md §1.8), with the pool doing the
// keeping. Tracks, per instance, whether WebSockets work at all: a refused upgrade (426) or
// repeated failures switch the instance to HTTP for a while. A call with an affinity (a client's
// own WebSocket) gets an upstream socket of its own instead, kept for that client's life, so the
// backend can resolve the `previous_response_id` of its follow-ups.
import { createHash } from 'node:crypto';
import { Injectable, Optional, type OnApplicationShutdown } from '@nestjs/common';
import type { CallAffinity } from '../../contract/provider-executor';
import { OutboundDispatchers } from '../../upstream/outbound-dispatchers';
import { UpstreamError } from '../../upstream/upstream-error';
import type { UpstreamTimeouts } from '../../upstream/upstream-timeouts';
import type { RawCodexEvent } from './codex-event-stream';
import { CODEX_WS_BETA } from './codex-headers';
import { CodexSocket, type CodexSocketOptions } from './codex-socket';
import { CodexSocketPool, SOCKET_MAX_AGE_MS } from './codex-socket-pool';
import { CodexWsMetrics } from './codex-ws.metrics';

export const DEFAULT_WS_POOL_SIZE = 4;
/** After a 426, WebSockets stay off for the instance this long. */
const UPGRADE_REFUSED_BACKOFF_MS = 60 * 60_000;
/** After this many WebSocket failures in a row, HTTP takes over for a while. */
const FAILURES_BEFORE_BACKOFF = 3;
const FAILURE_BACKOFF_MS = 5 * 60_000;
/** Frames after which a pinned socket is ready for the client's next request. */
const PINNED_TERMINAL = new Set(['response.completed', 'response.done', 'response.incomplete', 'response.failed', 'error']);

export interface CodexWsRequest {
  instance: string;
  accountId: string;
  accessToken: string;
  url: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  signal: AbortSignal;
  /** The instance's: `connectMs` bounds opening a socket, the others each response on it. */
  timeouts: UpstreamTimeouts;
  poolSize: number;
  /** Rate-limit frames that arrive while the socket is idle. */
  onIdleFrame?(frame: Record<string, unknown>): void;
  /** Open a new socket rather than reuse an idle one (a retry after a broken socket). */
  fresh?: boolean;
  /** The client connection this call belongs to: served on that connection's own socket. */
  affinity?: CallAffinity;
}

/**
 * A follow-up (`previous_response_id`) whose upstream socket is gone: no other socket knows that
 * response (store is false). Said with the backend's own connection-limit code, which the Codex
 * CLI answers by opening a new connection and sending the whole conversation again.
 */
export function upstreamConnectionGone(instance: string, previousResponseId: string): UpstreamError {
  return new UpstreamError(`upstream ${instance}: the connection that holds response ${previousResponseId} is gone`, {
    failure: 'status',
    instance,
    status: 400,
    upstreamType: 'invalid_request_error',
    upstreamCode: 'websocket_connection_limit_reached',
    upstreamParam: 'previous_response_id',
    upstreamMessage: `The upstream connection that holds response ${previousResponseId} is gone. Create a new websocket connection to continue.`,
  });
}

@Injectable()
export class CodexWebSocketTransport implements OnApplicationShutdown {
  private readonly sizes = new Map<string, number>();
  readonly pool = new CodexSocketPool((key) => this.sizes.get(key) ?? DEFAULT_WS_POOL_SIZE);
  private readonly disabledUntil = new Map<string, number>();
  private readonly failures = new Map<string, number>();
  /** Per client connection: its own socket for each instance and account. */
  private readonly pinned = new WeakMap<CallAffinity, Map<string, CodexSocket>>();

  /**
   * Without metrics (tests that build the transport themselves), nothing is counted; without
   * outbound connections, sockets go out directly whatever the proxy settings.
   */
  constructor(
    @Optional() private readonly metrics?: CodexWsMetrics,
    @Optional() private readonly outbound?: OutboundDispatchers,
  ) {}

  /** False while the instance is switched to HTTP. */
  enabled(instance: string): boolean {
    return (this.disabledUntil.get(instance) ?? 0) <= Date.now();
  }

  /** Notes a WebSocket failure; 426 or too many in a row switch the instance to HTTP. */
  noteFailure(instance: string, error: unknown): void {
    if (error instanceof UpstreamError && error.failure === 'status' && error.status === 426) {
      this.disabledUntil.set(instance, Date.now() + UPGRADE_REFUSED_BACKOFF_MS);
      return;
    }
    const count = (this.failures.get(instance) ?? 0) + 1;
    this.failures.set(instance, count);
    if (count >= FAILURES_BEFORE_BACKOFF) {
      this.disabledUntil.set(instance, Date.now() + FAILURE_BACKOFF_MS);
      this.failures.set(instance, 0);
    }
  }

  noteSuccess(instance: string): void {
    this.failures.set(instance, 0);
  }

  /**
   * Takes a socket (opening one if needed) and sends the request. A refused upgrade throws here,
   * with its HTTP status; everything after comes through the returned frames.
   */
  async open(request: CodexWsRequest): Promise<AsyncIterable<RawCodexEvent>> {
    if (request.affinity) return this.openPinned(request, request.affinity);
    // Sockets carry the token they were opened with, and leave by the proxy they were opened
    // through: a new token, or an account pinned to another proxy, gets new sockets.
    const token = createHash('sha256').update(`${request.accessToken}\u0000${request.timeouts.proxy ?? ''}`).digest('hex').slice(0, 16);
    const key = `${request.instance}\u0000${request.accountId}\u0000${token}`;
    this.sizes.set(key, request.poolSize);
    // The pool calls connect only when it hands out a new socket: otherwise this one was open.
    let connected = false;
    const socket = await this.pool.acquire(
      key,
      () => {
        connected = true;
        return this.connect({
          instance: request.instance,
          url: request.url,
          headers: { ...request.headers, 'openai-beta': CODEX_WS_BETA },
          secret: request.accessToken,
          signal: request.signal,
          connectMs: request.timeouts.connectMs,
          onIdleFrame: request.onIdleFrame,
        }, request.timeouts.proxy);
      },
      request.signal,
      request.fresh,
    );
    if (!connected) this.metrics?.socketReused(request.instance);
    return this.frames(key, socket, request);
  }

  onApplicationShutdown(): void {
    this.pool.closeAll();
  }

  /**
   * The client connection's socket for this instance and account (not the token: a refreshed
   * token must not lose the conversation), opened on first use. A follow-up never gets a new
   * socket: the response it continues is only known to the old one.
   */
  private async openPinned(request: CodexWsRequest, affinity: CallAffinity): Promise<AsyncIterable<RawCodexEvent>> {
    const key = `${request.instance}\u0000${request.accountId}`;
    let sockets = this.pinned.get(affinity);
    if (!sockets) {
      const own = new Map<string, CodexSocket>();
      sockets = own;
      this.pinned.set(affinity, own);
      affinity.onEnd(() => {
        for (const socket of own.values()) socket.close();
        own.clear();
      });
    }
    let socket = sockets.get(key);
    if (socket && (request.fresh || !socket.open || socket.busy || Date.now() - socket.openedAt >= SOCKET_MAX_AGE_MS)) {
      sockets.delete(key);
      socket.close();
      socket = undefined;
    }
    if (!socket) {
      const previous = request.body.previous_response_id;
      if (typeof previous === 'string') throw upstreamConnectionGone(request.instance, previous);
      socket = await this.connect({
        instance: request.instance,
        url: request.url,
        headers: { ...request.headers, 'openai-beta': CODEX_WS_BETA },
        signal: request.signal,
        connectMs: request.timeouts.connectMs,
        onIdleFrame: request.onIdleFrame,
      }, request.timeouts.proxy);
      if (affinity.ended) {
        socket.close();
        throw new UpstreamError(`upstream ${request.instance}: the client left`, { failure: 'aborted', instance: request.instance });
      }
      sockets.set(key, socket);
    } else {
      this.metrics?.socketReused(request.instance);
    }
    socket.busy = true;
    return this.pinnedFrames(sockets, key, socket, request);
  }

  /**
   * Opens a socket, counted as open until it closes; through the instance's `proxy_url` (or the
   * environment's proxy) when there is one.
   */
  private async connect(options: CodexSocketOptions, proxy: string | undefined): Promise<CodexSocket> {
    const agent = this.outbound?.webSocketAgent(options.url, proxy);
    const socket = await CodexSocket.connect(agent ? { ...options, agent } : options);
    this.metrics?.socketOpened(options.instance, socket);
    return socket;
  }

  private async *pinnedFrames(sockets: Map<string, CodexSocket>, key: string, socket: CodexSocket, request: CodexWsRequest): AsyncGenerator<RawCodexEvent> {
    let reusable = false;
    try {
      for await (const frame of socket.request(request.body, request.signal, request.timeouts)) {
        // Any terminal frame counts, errors too: the backend ended that response and keeps the
        // connection's earlier responses, which the client's follow-ups may still name.
        reusable = PINNED_TERMINAL.has(frame.json.type as string);
        yield frame;
      }
    } finally {
      socket.busy = false;
      // As in the pool: a response that did not end cleanly leaves the socket unusable.
      if (!reusable) {
        if (sockets.get(key) === socket) sockets.delete(key);
        socket.close();
      }
    }
  }

  private async *frames(key: string, socket: CodexSocket, request: CodexWsRequest): AsyncGenerator<RawCodexEvent> {
    let reusable = false;
    try {
      for await (const frame of socket.request(request.body, request.signal, request.timeouts)) {
        const type = frame.json.type;
        // Decided before the yield: the reader stops right after a terminal event. Anything
        // else (a failure, a timeout, a reader that left) closes the socket, so no late frame
        // of this response can be read as the next request's.
        reusable = type === 'response.completed' || type === 'response.done' || type === 'response.incomplete';
        yield frame;
      }
    } finally {
      this.pool.release(key, socket, reusable);
    }
  }
}
