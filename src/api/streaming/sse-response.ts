// Serves a stream of events as an SSE response. The first event is awaited before anything is
// sent, so a failure up to then is still an HTTP error — but only for one keepalive interval:
// an upstream silent for longer gets its response started and kept alive with comments, so a
// load balancer does not cut a long thinking phase. After the start, a failure becomes one error
// event in the route's dialect and the stream ends, keeping everything already sent. The
// response is handed to Fastify as a stream it pipes with backpressure; shutdown can stop the
// stream cleanly.
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { LoggerService } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { GatewayError } from '../../common/gateway-error';
import type { SseEvent } from '../../protocol/sse';
import { encodeSseComment, encodeSseEvent } from '../../protocol/sse-encoder';
import type { ActiveStreams, StreamHandle } from './active-streams';

export interface SseResponseOptions {
  reply: FastifyReply;
  events: AsyncIterable<SseEvent>;
  /** The request's controller: aborting it cancels the upstream. */
  abort: AbortController;
  /** Written after a clean end, e.g. OpenAI chat's `data: [DONE]`. */
  terminator?: string;
  /** The route's dialect for an error that happens after the first byte. */
  errorEvent: (error: unknown) => SseEvent;
  streams: ActiveStreams;
  logger: LoggerService;
  requestId: string;
  /** Silence after which a comment line is sent. */
  keepaliveMs: number;
}

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  // Tells nginx-style proxies not to buffer the stream.
  'x-accel-buffering': 'no',
} as const;

/** Resolves when the response has started; the stream then runs on by itself. */
export async function sendSse(options: SseResponseOptions): Promise<void> {
  const iterator = options.events[Symbol.asyncIterator]();
  const first = iterator.next();
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<'waited'>((resolve) => {
    timer = setTimeout(() => resolve('waited'), options.keepaliveMs);
  });
  // Throws (→ HTTP error) when the upstream fails before its first event, within the wait.
  const outcome = await Promise.race([first, waited]).finally(() => clearTimeout(timer));
  if (outcome === 'waited') first.catch(() => undefined);
  const out = new PassThrough();
  options.reply.code(200).headers(SSE_HEADERS).send(out);
  if (outcome === 'waited') out.write(encodeSseComment('keep-alive'));
  void pump(out, iterator, first, options);
}

async function pump(
  out: PassThrough,
  iterator: AsyncIterator<SseEvent>,
  first: Promise<IteratorResult<SseEvent>>,
  options: SseResponseOptions,
): Promise<void> {
  const { abort } = options;
  let stoppedFor: GatewayError | undefined;
  const handle: StreamHandle = {
    stop(reason) {
      stoppedFor = reason;
      abort.abort(reason);
    },
  };
  options.streams.add(handle);

  let lastWrite = Date.now();
  const keepaliveMs = options.keepaliveMs;
  const keepalive = setInterval(() => {
    if (Date.now() - lastWrite >= keepaliveMs && isOpen(out)) {
      out.write(encodeSseComment('keep-alive'));
      lastWrite = Date.now();
    }
  }, Math.max(50, Math.floor(keepaliveMs / 4)));
  keepalive.unref();

  const write = async (frame: string): Promise<void> => {
    if (!isOpen(out)) throw new Error('client closed the connection');
    lastWrite = Date.now();
    if (!out.write(frame)) await once(out, 'drain', { signal: abort.signal });
  };

  try {
    const head = await first;
    if (head.done) {
      if (options.terminator !== undefined) await write(options.terminator);
      return;
    }
    await write(encodeSseEvent(head.value));
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      await write(encodeSseEvent(next.value));
    }
    if (options.terminator !== undefined) await write(options.terminator);
  } catch (error) {
    const reason = stoppedFor ?? error;
    const clientLeft = abort.signal.aborted && !stoppedFor;
    if (!clientLeft && isOpen(out)) {
      out.write(encodeSseEvent(options.errorEvent(reason)));
      options.logger.warn({ reqId: options.requestId, err: reason }, 'stream ended with an error after it started');
    }
  } finally {
    clearInterval(keepalive);
    options.streams.delete(handle);
    if (isOpen(out)) out.end();
    // Lets the upstream generator run its cleanup (cancel or release the connection).
    await iterator.return?.().catch(() => undefined);
  }
}

function isOpen(out: PassThrough): boolean {
  return !out.destroyed && !out.writableEnded;
}
