// Serves a stream of events as an SSE response (or, for a Gemini client without `alt=sse`, as
// one JSON array: stream-framing.ts). The first event is awaited before anything is sent, so a
// failure up to then is still an HTTP error — but only for one keepalive interval: an upstream
// silent for longer gets its response started and kept alive (SSE comments, or whitespace in the
// array), so a load balancer does not cut a long thinking phase. After the start, a failure
// becomes one error event in the route's dialect and the stream ends, keeping everything already
// sent: in the array that is Google's `{error:{code,message,status}}` as the last element before
// `]`, so the body still parses but never reads as a finished answer (the same object Google puts
// in a failing SSE stream; an array reader such as google-api-core's hands each element to its
// caller, who finds an error and no finishReason). Frames go straight to the socket
// (frame-writer.ts) with backpressure; shutdown can stop the stream cleanly.
import type { LoggerService } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { GatewayError } from '../../common/gateway-error';
import type { SseEvent } from '../../protocol/sse';
import type { ActiveStreams, StreamHandle } from '../../health/active-streams';
import { noteRequest } from '../../logging/request-notes';
import { errorNote } from '../errors/error-note';
import { toGatewayError } from '../errors/to-gateway-error';
import { FrameWriter } from './frame-writer';
import { streamFraming, type StreamFraming, type StreamFramingName } from './stream-framing';

export interface SseResponseOptions {
  reply: FastifyReply;
  events: AsyncIterable<SseEvent>;
  /** The request's controller: aborting it cancels the upstream. */
  abort: AbortController;
  /** Written after a clean end, e.g. OpenAI chat's `data: [DONE]` (SSE framing only). */
  terminator?: string;
  /** Server-sent events (the default) or one JSON array (Gemini without `alt=sse`). */
  framing?: StreamFramingName;
  /** The route's dialect for an error that happens after the first byte. */
  errorEvent: (error: unknown) => SseEvent;
  streams: ActiveStreams;
  logger: LoggerService;
  requestId: string;
  /** Silence after which a comment line is sent. */
  keepaliveMs: number;
  /** Changes an event before it goes out, or drops it (undefined); synchronous. */
  rewrite?: (event: SseEvent) => SseEvent | undefined;
}

/** Resolves when the response has started; the stream then runs on by itself. */
export async function sendSse(options: SseResponseOptions): Promise<void> {
  const iterator = options.events[Symbol.asyncIterator]();
  const first = iterator.next();
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<'waited'>((resolve) => {
    timer = setTimeout(resolve, options.keepaliveMs, 'waited');
  });
  // Throws (→ HTTP error) when the upstream fails before its first event, within the wait.
  const outcome = await Promise.race([first, waited]).finally(() => clearTimeout(timer));
  if (outcome === 'waited') first.catch(() => undefined);
  const framing = streamFraming(options.framing ?? 'sse');
  const out = FrameWriter.start(options.reply, framing.headers);
  // The answer's first byte, for the usage record's time to first byte.
  noteRequest(options.reply.request.raw, { firstByteAt: Date.now() });
  if (framing.opening !== '') out.write(framing.opening);
  if (outcome === 'waited') out.write(framing.keepalive);
  void pump(out, framing, iterator, first, options);
}

async function pump(
  out: FrameWriter,
  framing: StreamFraming,
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

  const keepaliveMs = options.keepaliveMs;
  const keepaliveFrame = framing.keepalive;
  const keepalive = setInterval(() => {
    if (Date.now() - out.lastWriteAt >= keepaliveMs && out.open) out.write(keepaliveFrame);
  }, Math.max(50, Math.floor(keepaliveMs / 4)));
  keepalive.unref();

  // Returns false when the client is not keeping up. Not async: most writes need no wait, and
  // an async helper would cost a promise and a hop per event.
  const write = (frame: string): boolean => {
    if (!out.open) throw new Error('client closed the connection');
    return out.write(frame);
  };

  const rewrite = options.rewrite;
  const encode = framing.encode;
  try {
    let next = await first;
    while (!next.done) {
      const event = rewrite ? rewrite(next.value) : next.value;
      if (event && !write(encode(event))) await out.drained(abort.signal);
      next = await iterator.next();
    }
    if (options.terminator !== undefined) write(options.terminator);
  } catch (error) {
    const reason = stoppedFor ?? error;
    const clientLeft = abort.signal.aborted && !stoppedFor;
    if (!clientLeft && out.open) {
      out.write(encode(options.errorEvent(reason)));
      const failed = toGatewayError(reason, { requestId: options.requestId });
      noteRequest(options.reply.request.raw, { error: errorNote(failed, true) });
      options.logger.warn({ reqId: options.requestId, err: reason }, 'stream ended with an error after it started');
    }
  } finally {
    clearInterval(keepalive);
    options.streams.delete(handle);
    if (framing.closing !== '' && out.open) out.write(framing.closing);
    out.end();
    // Lets the upstream generator run its cleanup (cancel or release the connection).
    await iterator.return?.().catch(() => undefined);
  }
}
