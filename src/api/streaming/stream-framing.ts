// How a streamed answer is framed on the wire. Every route streams server-sent events, except the
// Gemini route asked without `alt=sse`: Google's API then answers with one JSON array, written
// as it grows — `[`, each GenerateContentResponse chunk as an element (Google separates them
// with `\n,\r\n`), `\n]` at the end — under `application/json`. The framing is picked once per
// response, so the SSE path does exactly the work it always did.
import type { SseEvent } from '../../protocol/sse';
import { encodeSseComment, encodeSseEvent } from '../../protocol/sse-encoder';

export type StreamFramingName = 'sse' | 'json-array';

export interface StreamFraming {
  readonly headers: Record<string, string>;
  /** Written with the head, before any event. */
  readonly opening: string;
  /** Written after the last event (after the route's terminator, or the error event). */
  readonly closing: string;
  /** Written after a silence, to keep idle proxies from closing the connection. */
  readonly keepalive: string;
  /** One event as it goes on the wire. May hold state: a framing serves one response. */
  readonly encode: (event: SseEvent) => string;
}

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  // Tells nginx-style proxies not to buffer the stream.
  'x-accel-buffering': 'no',
} as const;

const SSE_FRAMING: StreamFraming = {
  headers: SSE_HEADERS,
  opening: '',
  closing: '',
  keepalive: encodeSseComment('keep-alive'),
  encode: encodeSseEvent,
};

const JSON_ARRAY_HEADERS = { ...SSE_HEADERS, 'content-type': 'application/json; charset=utf-8' } as const;

/** The framing for one response (the JSON array's separator depends on what was written before). */
export function streamFraming(name: StreamFramingName): StreamFraming {
  return name === 'sse' ? SSE_FRAMING : jsonArrayFraming();
}

function jsonArrayFraming(): StreamFraming {
  let separator = '';
  return {
    headers: JSON_ARRAY_HEADERS,
    opening: '[',
    closing: '\n]',
    // Whitespace between elements is valid JSON; a comment would not be.
    keepalive: '\n',
    // An event's data is one JSON value (a chunk, or the dialect's error object).
    encode: (event) => {
      const frame = separator + event.data;
      separator = '\n,\r\n';
      return frame;
    },
  };
}
