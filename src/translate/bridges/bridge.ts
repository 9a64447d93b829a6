// A bridge serves one client protocol from one upstream protocol: the request translated once,
// then the upstream's answer — a whole JSON body, or a stream of events — as the client's answer,
// and a failure after the first byte as the client's error event. The protocol table
// (protocol-table.ts) holds one bridge for every (client, upstream) pair.
import type { ErrorDetail } from '../../protocol/error-detail';
import type { ThinkingRequest } from '../../protocol/reasoning-levels';
import type { SseEvent } from '../../protocol/sse';

export interface BridgeRequestOptions {
  /** The client asked for a stream. */
  stream: boolean;
  /** Thinking asked for through the model name (`gpt-5(high)`), projected after translation. */
  thinking?: ThinkingRequest;
}

/** What a bridge knows of the request it answers. */
export interface BridgeContext<TClient> {
  /** The client's request, as validated. */
  request: TClient;
  /** The provider instance that answered, for error messages. */
  instance: string;
  /** The model as the client named it (the answer names it so). */
  model: string;
  /**
   * The request as translated for the upstream that answered (in its protocol, before payload
   * rules), for an answer whose reading depends on what was asked: Kiro's inline thinking is
   * split out only when the request switched thinking on.
   */
  sent?: unknown;
}

/** A stream in the client's protocol, ready for the SSE writer (or the Responses WebSocket). */
export interface ClientStream {
  events: AsyncIterable<SseEvent>;
  /**
   * Changes an event on its way out, or drops it (undefined). Synchronous, for passthrough
   * streams that touch few events: cheaper than another async generator around every event.
   */
  rewrite?: (event: SseEvent) => SseEvent | undefined;
  /** Written after a clean end: chat's `data: [DONE]` frame. */
  terminator?: string;
  /** A failure after the first byte, as the client's error event. */
  errorEvent(error: ErrorDetail): SseEvent;
}

export interface Bridge<TClient, TWire> {
  /** The client's request in the upstream's protocol. Throws TranslationRefusal for what it cannot carry. */
  request(body: TClient, options: BridgeRequestOptions): TWire;
  /**
   * A whole JSON answer as the client's answer object; undefined when the upstream's bytes go
   * out as they came (same protocol). `parsed` parses the body only when called.
   */
  answer(parsed: () => unknown, context: BridgeContext<TClient>): object | undefined;
  /** A streamed answer read to its end, for a client that did not ask for a stream. */
  collect(events: AsyncIterable<SseEvent>, context: BridgeContext<TClient>): Promise<object>;
  /** A streamed answer as the client's stream. Nothing is produced before the upstream's first event. */
  stream(events: AsyncIterable<SseEvent>, context: BridgeContext<TClient>): ClientStream;
}

/**
 * The upstream answered in a shape its protocol allows but this bridge cannot use (a whole JSON
 * body where only a stream can be translated), or sent an event that is not JSON. A 502.
 */
export class UpstreamShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UpstreamShapeError';
  }
}

/** The JSON of a stream event: the copy its producer already parsed (executors do), or parsed now. */
export function eventJson<T>(event: SseEvent, instance: string): T {
  if (event.json !== undefined) return event.json as T;
  try {
    return JSON.parse(event.data) as T;
  } catch {
    throw new UpstreamShapeError(`upstream ${instance} sent an event that is not JSON`);
  }
}
