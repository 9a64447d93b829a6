// The one HTTP client every provider uses to reach its upstream: a long-lived undici Agent
// (a keep-alive pool per origin, through the instance's proxy if any: outbound-dispatchers.ts),
// per-call timeouts and cancellation, and undici's errors turned into UpstreamErrors. Injectable so executors can be tested against a fake dispatcher.
// Every response body gets an error listener for its whole life: a body destroyed after its
// reader let go (an early return, a client that left) emits an error nobody else hears, and an
// unheard 'error' event ends the process.
import { Inject, Injectable, Optional, type OnApplicationShutdown } from '@nestjs/common';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { SseEvent } from '../protocol/sse';
import { SseDecoder, SseTooLargeError } from '../protocol/sse-decoder';
import { CallWatch } from './call-watch';
import { OutboundDispatchers } from './outbound-dispatchers';
import { UpstreamError, cancelled } from './upstream-error';
import type { UpstreamTimeouts } from './upstream-timeouts';

export interface UpstreamRequest {
  /** Provider instance name, for error messages. */
  instance: string;
  url: string;
  /** Providers call GET and POST; Amp's pass-through forwards whatever the client sent. */
  method: Dispatcher.HttpMethod;
  headers: Record<string, string>;
  /** A string or bytes, or a stream forwarded as it arrives (the pass-through's request body). */
  body?: string | Buffer | Readable;
  signal: AbortSignal;
  timeouts: UpstreamTimeouts;
}

export type UpstreamBody = Dispatcher.ResponseData['body'];

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: UpstreamBody;
}

/** Error bodies are read to show their message, never more than this. */
const ERROR_BODY_LIMIT = 64 * 1024;

/** The end marker of an SSE protocol that has one (see `UpstreamHttp.events`). */
export interface SseEnd {
  /** True for the event that ends the stream. */
  isEnd(event: SseEvent): boolean;
  /** The error for a body that ends before that event: an early end is a failure, not a success. */
  missing(): Error;
  /**
   * Looks at each other event before it is passed on, in the loop that decodes it: may parse it
   * (setting `event.json`, so nobody parses it twice) and throws to end the stream when the
   * upstream's output is not what its protocol promises (not JSON, an error payload).
   */
  check?(event: SseEvent): void;
}

function ignore(): void {}

/** Distinct upstream URLs whose parse is kept. */
const MAX_CACHED_URLS = 256;

/** DI token of the undici dispatcher (an Agent in production, a MockAgent in unit tests). */
export const UPSTREAM_DISPATCHER = Symbol('UPSTREAM_DISPATCHER');

@Injectable()
export class UpstreamHttp implements OnApplicationShutdown {
  private readonly targets = new Map<string, { origin: string; path: string }>();
  /** The watch of each body still being read (timeouts); gone with the body. */
  private readonly watches = new WeakMap<UpstreamBody, CallWatch>();

  /**
   * Pools for instances with their own connect timeout (an agent-wide setting in undici) or
   * their own `proxy_url`. Without one (unit tests), such calls go out directly.
   */
  private readonly outbound: OutboundDispatchers;

  constructor(
    /** For calls with neither: the environment's proxy, else direct (a MockAgent in unit tests). */
    @Inject(UPSTREAM_DISPATCHER) private readonly dispatcher: Dispatcher,
    @Optional() outbound?: OutboundDispatchers,
  ) {
    this.outbound = outbound ?? new OutboundDispatchers({});
  }

  async request(req: UpstreamRequest): Promise<UpstreamResponse> {
    const watch = new CallWatch(req.signal, req.timeouts.firstByteMs, req.timeouts.idleMs);
    let res: Dispatcher.ResponseData;
    try {
      const { origin, path } = this.targetOf(req.url);
      res = await this.dispatcherFor(req.timeouts).request({
        origin,
        path,
        method: req.method,
        headers: req.headers,
        body: req.body,
        signal: watch,
        // Our own timers (call-watch.ts) keep these; undici's would fire up to 0.5 s late.
        headersTimeout: 0,
        bodyTimeout: 0,
      });
    } catch (error) {
      watch.finish();
      throw toUpstreamError(error, req.instance, req.signal, 'before', watch);
    }
    const body = res.body;
    body.on('error', ignore);
    body.once('close', () => watch.finish());
    watch.headersArrived();
    this.watches.set(body, watch);
    return { status: res.statusCode, headers: res.headers, body };
  }

  /**
   * The body's chunks, with read failures (timeout, reset, cancel) as UpstreamErrors. Stopping
   * early does not destroy the body: the caller either dumps it (so the connection returns to
   * the pool) or destroys it.
   */
  async *chunks(body: UpstreamBody, instance: string, signal: AbortSignal): AsyncGenerator<Buffer> {
    const watch = this.watches.get(body);
    try {
      for await (const chunk of body.iterator({ destroyOnReturn: false })) {
        watch?.chunkArrived();
        yield chunk as Buffer;
        watch?.awaitingNext();
      }
    } catch (error) {
      throw toUpstreamError(error, instance, signal, 'during', watch);
    }
  }

  /**
   * The body's server-sent events, decoded in the same loop that reads it (one async layer per
   * event, not two), with read failures as UpstreamErrors. Without `end`, stopping early leaves
   * the body to the caller, like `chunks`. With `end` (a protocol with an end marker, such as
   * OpenAI chat's `[DONE]`) the body is looked after here: the marker ends the events (it is not
   * yielded) and the rest of the body is drained so the connection goes back to the pool; a body
   * that ends without it throws `end.missing()`; a reader that stops early destroys it.
   */
  async *events(body: UpstreamBody, instance: string, signal: AbortSignal, end?: SseEnd): AsyncGenerator<SseEvent> {
    const decoder = new SseDecoder();
    const watch = this.watches.get(body);
    const check = end?.check;
    let ended = false;
    try {
      try {
        for await (const chunk of body.iterator({ destroyOnReturn: false })) {
          watch?.chunkArrived();
          for (const event of decoder.feed(chunk as Buffer)) {
            if (end?.isEnd(event)) {
              ended = true;
              return;
            }
            if (check) check(event);
            yield event;
          }
          watch?.awaitingNext();
        }
      } catch (error) {
        if (error instanceof SseTooLargeError) {
          throw new UpstreamError(`upstream ${instance} sent an event larger than the gateway accepts (${error.message})`, { failure: 'protocol', instance });
        }
        throw toUpstreamError(error, instance, signal, 'during', watch);
      }
      for (const event of decoder.end()) {
        if (end?.isEnd(event)) {
          ended = true;
          return;
        }
        if (check) check(event);
        yield event;
      }
    } finally {
      if (end) {
        if (ended) body.dump().catch(() => undefined);
        else {
          // Destroying an unfinished body emits undici's RequestAbortedError; unheard, it would
          // be an uncaught 'error' event and take the process down.
          body.once('error', () => undefined);
          body.destroy();
        }
      }
    }
    if (end) throw end.missing();
  }

  /** Reads a (small) body as text; used for error answers and JSON responses. */
  async text(body: UpstreamBody, instance: string, signal: AbortSignal, limit = Infinity): Promise<string> {
    const parts: Buffer[] = [];
    let size = 0;
    for await (const chunk of this.chunks(body, instance, signal)) {
      if (size + chunk.length > limit) {
        parts.push(chunk.subarray(0, limit - size));
        body.destroy();
        break;
      }
      parts.push(chunk);
      size += chunk.length;
    }
    return Buffer.concat(parts).toString('utf8');
  }

  errorText(body: UpstreamBody, instance: string, signal: AbortSignal): Promise<string> {
    return this.text(body, instance, signal, ERROR_BODY_LIMIT);
  }

  async onApplicationShutdown(): Promise<void> {
    // The shared dispatcher may be one of outbound's; closing it twice is harmless in undici.
    await Promise.all([this.dispatcher.close(), this.outbound.close()]);
  }

  /**
   * Origin and path of a URL, parsed once per distinct URL: a provider calls the same few URLs
   * over and over, and parsing one (which undici's top-level `request` does per call) is
   * measurable on the hot path.
   */
  private targetOf(url: string): { origin: string; path: string } {
    let target = this.targets.get(url);
    if (!target) {
      const parsed = new URL(url);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new TypeError(`not an http(s) URL: ${url}`);
      target = { origin: parsed.origin, path: parsed.pathname + parsed.search };
      // Bounded: URLs with per-request parts (ids, query strings) must not grow it forever.
      if (this.targets.size >= MAX_CACHED_URLS) this.targets.clear();
      this.targets.set(url, target);
    }
    return target;
  }

  private dispatcherFor({ connectMs, proxy }: UpstreamTimeouts): Dispatcher {
    if (connectMs === undefined && proxy === undefined) return this.dispatcher;
    return this.outbound.dispatcher(proxy, connectMs);
  }
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

function toUpstreamError(error: unknown, instance: string, signal: AbortSignal, when: 'before' | 'during', watch?: CallWatch): UpstreamError {
  if (error instanceof UpstreamError) return error;
  if (signal.aborted) return cancelled(instance, signal, error);
  const deadline = watch?.deadline;
  if (deadline) {
    const what = deadline.phase === 'first-byte' ? 'did not start answering within the timeout' : 'went silent mid-response for longer than the timeout';
    return new UpstreamError(`upstream ${instance} ${what}`, { failure: 'timeout', instance, cause: error });
  }
  const code = errorCode(error);
  if (code && TIMEOUT_CODES.has(code)) {
    const what =
      code === 'UND_ERR_CONNECT_TIMEOUT'
        ? 'did not accept a connection in time'
        : code === 'UND_ERR_HEADERS_TIMEOUT'
          ? 'did not start answering within the timeout'
          : 'went silent mid-response for longer than the timeout';
    return new UpstreamError(`upstream ${instance} ${what}`, { failure: 'timeout', instance, cause: error });
  }
  const reason = code ? `${code}: ${(error as Error).message}` : (error as Error)?.message ?? String(error);
  const message =
    when === 'before'
      ? `could not reach upstream ${instance} (${reason})`
      : `connection to upstream ${instance} was lost mid-response (${reason})`;
  return new UpstreamError(message, { failure: 'connect', instance, cause: error });
}

/** undici puts the system error code (ECONNREFUSED, …) on the error or on its cause. */
function errorCode(error: unknown): string | undefined {
  const own = (error as { code?: unknown })?.code;
  if (typeof own === 'string') return own;
  const cause = (error as { cause?: { code?: unknown } })?.cause?.code;
  return typeof cause === 'string' ? cause : undefined;
}
