// Turns a byte stream (an upstream response body) into server-sent events. Parsing is
// eventsource-parser's; this adds byte decoding that is safe across chunk boundaries and the
// flush of a last event whose closing blank line never came.
import { createParser } from 'eventsource-parser';
import type { SseEvent } from './sse';

/** Upper bound on one buffered event, so a hostile upstream cannot grow memory without end. */
const MAX_EVENT_CHARS = 16 * 1024 * 1024;

export async function* decodeSse(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder('utf-8');
  const ready: SseEvent[] = [];
  let parseError: Error | undefined;
  const parser = createParser({
    maxBufferSize: MAX_EVENT_CHARS,
    onEvent: (event) => {
      const out: SseEvent = { data: event.data };
      if (event.event !== undefined) out.event = event.event;
      if (event.id !== undefined) out.id = event.id;
      ready.push(out);
    },
    onError: (error) => {
      // Unknown fields are legal in SSE and ignored; only an overflow is fatal.
      if (error.type === 'max-buffer-size-exceeded') parseError = error;
    },
  });

  for await (const chunk of body) {
    parser.feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    if (parseError) throw parseError;
    while (ready.length > 0) yield ready.shift() as SseEvent;
  }
  // A server may close right after its last `data:` line; dispatch that event rather than
  // drop it (the blank line that would have ended it is implied by the end of the stream).
  parser.feed(decoder.decode() + '\n\n');
  while (ready.length > 0) yield ready.shift() as SseEvent;
}
