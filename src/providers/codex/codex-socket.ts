// One WebSocket to the Codex backend, kept open across requests (reference/wire-protocols.md
// §1.8): `response.create` goes out as a text frame, the response's events come back one frame
// each, and after `response.completed` the socket waits for the next request. One request at a
// time; the pool (codex-socket-pool.ts) hands sockets out. The instance's timeouts bound the
// handshake, the wait for a response's first frame and the silence between its frames.
import type { Agent } from 'node:http';
import WebSocket from 'ws';
import { isObject } from '../../protocol/json-object';
import { parseUpstreamJson } from '../../upstream/parse-upstream-json';
import { UpstreamError, cancelled } from '../../upstream/upstream-error';
import type { UpstreamTimeouts } from '../../upstream/upstream-timeouts';
import type { RawCodexEvent } from './codex-event-stream';

/** Events after which a response on this socket is over. */
const TERMINAL = new Set(['response.completed', 'response.done', 'response.incomplete', 'response.failed', 'error']);
/** The handshake's bound when the instance sets no `timeouts.connect_ms` (CPA's 30 s, §1.8). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;

/** The waits of one response: for its first frame, then between two frames. */
export type ResponseTimeouts = Pick<UpstreamTimeouts, 'firstByteMs' | 'idleMs'>;

export interface CodexSocketOptions {
  instance: string;
  url: string;
  headers: Record<string, string>;
  /** The credential in those headers, redacted from a refused upgrade's message. */
  secret?: string;
  signal?: AbortSignal;
  /** Bounds the whole opening handshake (default DEFAULT_CONNECT_TIMEOUT_MS). */
  connectMs?: number;
  /** Opens the connection through a proxy (outbound-dispatchers.ts); none: directly. */
  agent?: Agent;
  /** A `codex.rate_limits` frame that arrives between responses. */
  onIdleFrame?(frame: Record<string, unknown>): void;
}

type Waiter = (item: { frame?: RawCodexEvent; error?: UpstreamError }) => void;

export class CodexSocket {
  readonly openedAt = Date.now();
  lastUsedAt = Date.now();
  requests = 0;
  busy = false;
  private closedWith?: UpstreamError;
  private readonly frames: RawCodexEvent[] = [];
  private waiter?: Waiter;
  private inResponse = false;
  /**
   * The one timer that watches the running response's silence: armed with `firstByteMs` when
   * the request goes out, re-armed with `idleMs` at the first frame, refreshed at each later
   * one (refresh() reuses the timer: nothing is allocated per frame), cleared at the end.
   */
  private silence?: NodeJS.Timeout;
  private heard = false;
  private timeouts: ResponseTimeouts = { firstByteMs: 0, idleMs: 0 };

  private constructor(
    private readonly ws: WebSocket,
    private readonly options: CodexSocketOptions,
  ) {
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('close', (code, reason) => this.fail(closedError(options.instance, code, reason.toString())));
    ws.on('error', (error) =>
      this.fail(new UpstreamError(`websocket to upstream ${options.instance} failed: ${error.message}`, { failure: 'connect', instance: options.instance, cause: error })),
    );
  }

  /**
   * Opens a socket; an upgrade the server refuses becomes an UpstreamError with its status, a
   * handshake that outlasts `connectMs` a timeout.
   */
  static connect(options: CodexSocketOptions): Promise<CodexSocket> {
    const { instance, signal } = options;
    const connectMs = options.connectMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(cancelled(instance, signal));
      const ws = new WebSocket(options.url, {
        headers: options.headers,
        agent: options.agent,
        // Compression costs CPU and memory per socket for little gain on small JSON frames.
        perMessageDeflate: false,
      });
      let settled = false;
      const fail = (error: UpstreamError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', abort);
        ws.terminate();
        reject(error);
      };
      // Our own timer rather than ws's handshakeTimeout (an idle timeout on the HTTP request):
      // it bounds the whole handshake, TCP and TLS included, and names the failure a timeout.
      const timer = setTimeout(
        () =>
          fail(
            new UpstreamError(`upstream ${instance} did not accept a websocket connection within the timeout (${connectMs} ms)`, {
              failure: 'timeout',
              instance,
              upstreamCode: 'websocket_connect_timeout',
            }),
          ),
        connectMs,
      );
      const abort = () => fail(cancelled(instance, signal!));
      signal?.addEventListener('abort', abort, { once: true });
      ws.once('unexpected-response', (_request, response) => {
        const parts: Buffer[] = [];
        // A refusal whose body is cut off still refuses; an unheard 'error' would end the process.
        response.on('error', (error: Error) =>
          fail(new UpstreamError(`could not open a websocket to upstream ${instance} (${error.message})`, { failure: 'connect', instance, cause: error })),
        );
        response.on('data', (chunk: Buffer) => parts.push(chunk));
        response.on('end', () =>
          fail(upgradeRefused(instance, response.statusCode ?? 502, response.headers, Buffer.concat(parts).toString('utf8'), options.secret)),
        );
      });
      ws.once('open', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', abort);
        resolve(new CodexSocket(ws, options));
      });
      // Also takes the error ws emits after a terminate() above, once the promise has settled.
      ws.once('error', (error) =>
        fail(new UpstreamError(`could not open a websocket to upstream ${instance} (${error.message})`, { failure: 'connect', instance, cause: error })),
      );
    });
  }

  get open(): boolean {
    return this.closedWith === undefined && this.ws.readyState === WebSocket.OPEN;
  }

  /**
   * Sends one `response.create` and yields the response's frames up to and including its
   * terminal one. Throws when the socket closes first, or when the upstream stays silent longer
   * than `timeouts` allow. Cancelling (signal) closes the socket: the protocol has no other way
   * to stop a response.
   */
  async *request(body: Record<string, unknown>, signal: AbortSignal, timeouts: ResponseTimeouts): AsyncGenerator<RawCodexEvent> {
    if (!this.open) throw this.closedWith ?? closedError(this.options.instance, 1006, '');
    this.requests++;
    this.lastUsedAt = Date.now();
    this.inResponse = true;
    this.timeouts = timeouts;
    this.heard = false;
    const onAbort = () => {
      this.ws.terminate();
      this.fail(cancelled(this.options.instance, signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      this.ws.send(JSON.stringify({ type: 'response.create', ...body }));
      this.silence = setTimeout(this.onSilence, timeouts.firstByteMs);
      for (;;) {
        const frame = await this.next();
        yield frame;
        if (TERMINAL.has(frame.json.type as string)) return;
      }
    } finally {
      // Whichever way the response ended (finished, failed, or a reader that stopped early).
      this.stopWatching();
      signal.removeEventListener('abort', onAbort);
      this.inResponse = false;
      this.lastUsedAt = Date.now();
    }
  }

  ping(): void {
    if (this.open) this.ws.ping();
  }

  /** Resolves true on the next pong, false after `timeoutMs`. */
  awaitPong(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.ws.off('pong', onPong);
        resolve(false);
      }, timeoutMs);
      const onPong = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.ws.once('pong', onPong);
    });
  }

  /** Calls `listener` once when the connection has closed (closed, terminated or broken). */
  onClosed(listener: () => void): void {
    if (this.ws.readyState === WebSocket.CLOSED) listener();
    else this.ws.once('close', listener);
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(1000);
  }

  terminate(): void {
    this.ws.terminate();
  }

  private next(): Promise<RawCodexEvent> {
    const frame = this.frames.shift();
    if (frame) return Promise.resolve(frame);
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise((resolve, reject) => {
      this.waiter = (item) => (item.frame ? resolve(item.frame) : reject(item.error));
    });
  }

  private onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    if (isBinary) {
      this.fail(new UpstreamError(`upstream ${this.options.instance} sent a binary websocket frame`, { failure: 'protocol', instance: this.options.instance }));
      this.ws.terminate();
      return;
    }
    const text = data.toString();
    let json: unknown;
    try {
      json = parseUpstreamJson(text, this.options.instance, 'a websocket frame');
    } catch (error) {
      this.fail(error as UpstreamError);
      this.ws.terminate();
      return;
    }
    if (!isObject(json)) return;
    const frame = { data: text, json };
    if (!this.inResponse) {
      // Between responses only rate-limit news is worth keeping.
      if (frame.json.type === 'codex.rate_limits') this.options.onIdleFrame?.(frame.json);
      return;
    }
    this.heardFrame(frame.json.type);
    if (this.waiter) {
      const waiter = this.waiter;
      this.waiter = undefined;
      waiter({ frame });
    } else {
      this.frames.push(frame);
    }
  }

  /** Moves the silence timer on at a frame of the running response. */
  private heardFrame(type: unknown): void {
    if (!this.silence) return;
    if (TERMINAL.has(type as string)) this.stopWatching();
    else if (this.heard) this.silence.refresh();
    else {
      // The first frame: from now on the wait is the idle one.
      this.heard = true;
      clearTimeout(this.silence);
      this.silence = setTimeout(this.onSilence, this.timeouts.idleMs);
    }
  }

  private stopWatching(): void {
    clearTimeout(this.silence);
    this.silence = undefined;
  }

  /** One function per socket, passed to every timer, rather than a new closure per request. */
  private readonly onSilence = (): void => {
    this.silence = undefined;
    const { instance } = this.options;
    const what = this.heard
      ? `went silent mid-response for longer than the timeout (${this.timeouts.idleMs} ms)`
      : `did not start answering within the timeout (${this.timeouts.firstByteMs} ms)`;
    this.fail(new UpstreamError(`upstream ${instance} ${what}`, { failure: 'timeout', instance }));
    // A late frame of this response would be read as the next request's: the socket is done.
    this.ws.terminate();
  };

  private fail(error: UpstreamError): void {
    if (this.closedWith) return;
    this.closedWith = error;
    if (this.waiter) {
      const waiter = this.waiter;
      this.waiter = undefined;
      waiter({ error });
    }
  }
}

/** Close codes the backend uses (§1.8); all of them end a response that was still running. */
function closedError(instance: string, code: number, reason: string): UpstreamError {
  const why =
    code === 1009
      ? 'the request was too big for it (1009)'
      : code === 1008
        ? 'it refused the connection (policy, 1008)'
        : code === 1006
          ? 'the connection broke (1006)'
          : `it closed the websocket (${code}${reason ? `: ${reason}` : ''})`;
  // 1009 is the backend's "413": a request that will not fit however often it is retried.
  return new UpstreamError(`upstream ${instance} ended the response early: ${why}`, {
    failure: code === 1009 ? 'status' : 'connect',
    instance,
    status: code === 1009 ? 413 : undefined,
    upstreamMessage: code === 1009 ? 'the request is too big for the websocket (close 1009)' : undefined,
    upstreamCode: code === 1009 ? 'message_too_big' : `websocket_close_${code}`,
  });
}

function upgradeRefused(
  instance: string,
  status: number,
  headers: Record<string, string | string[] | undefined>,
  text: string,
  secret: string | undefined,
): UpstreamError {
  let message = text.trim().slice(0, 300);
  try {
    const json = JSON.parse(text) as { detail?: unknown; error?: { message?: unknown } };
    if (typeof json.detail === 'string') message = json.detail;
    else if (typeof json.error?.message === 'string') message = json.error.message;
  } catch {
    // plain text
  }
  const retryAfter = headers['retry-after'];
  return new UpstreamError(`upstream ${instance} refused the websocket (HTTP ${status})${message ? `: ${message}` : ''}`, {
    failure: 'status',
    instance,
    status,
    upstreamMessage: message || undefined,
    headers: typeof retryAfter === 'string' ? { 'retry-after': retryAfter } : {},
    secret,
  });
}
