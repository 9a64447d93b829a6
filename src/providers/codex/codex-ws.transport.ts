// Codex over a kept-open WebSocket (reference/wire-protocols.md §1.8), with the pool doing the
// keeping. Tracks, per instance, whether WebSockets work at all: a refused upgrade (426) or
// repeated failures switch the instance to HTTP for a while.
import { createHash } from 'node:crypto';
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { UpstreamError } from '../../upstream/upstream-error';
import type { UpstreamTimeouts } from '../../upstream/upstream-timeouts';
import type { RawCodexEvent } from './codex-event-stream';
import { CODEX_WS_BETA } from './codex-headers';
import { CodexSocket } from './codex-socket';
import { CodexSocketPool } from './codex-socket-pool';

export const DEFAULT_WS_POOL_SIZE = 4;
/** After a 426, WebSockets stay off for the instance this long. */
const UPGRADE_REFUSED_BACKOFF_MS = 60 * 60_000;
/** After this many WebSocket failures in a row, HTTP takes over for a while. */
const FAILURES_BEFORE_BACKOFF = 3;
const FAILURE_BACKOFF_MS = 5 * 60_000;

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
}

@Injectable()
export class CodexWebSocketTransport implements OnApplicationShutdown {
  private readonly sizes = new Map<string, number>();
  readonly pool = new CodexSocketPool((key) => this.sizes.get(key) ?? DEFAULT_WS_POOL_SIZE);
  private readonly disabledUntil = new Map<string, number>();
  private readonly failures = new Map<string, number>();

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
    // Sockets carry the token they were opened with: a new token gets new sockets.
    const token = createHash('sha256').update(request.accessToken).digest('hex').slice(0, 16);
    const key = `${request.instance}\u0000${request.accountId}\u0000${token}`;
    this.sizes.set(key, request.poolSize);
    const socket = await this.pool.acquire(
      key,
      () =>
        CodexSocket.connect({
          instance: request.instance,
          url: request.url,
          headers: { ...request.headers, 'openai-beta': CODEX_WS_BETA },
          secret: request.accessToken,
          signal: request.signal,
          connectMs: request.timeouts.connectMs,
          onIdleFrame: request.onIdleFrame,
        }),
      request.signal,
      request.fresh,
    );
    return this.frames(key, socket, request);
  }

  onApplicationShutdown(): void {
    this.pool.closeAll();
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
