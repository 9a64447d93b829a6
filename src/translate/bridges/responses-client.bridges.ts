// The protocol table's Responses row: a Responses API client (the openai SDK's responses.create,
// Codex CLI, the inbound Responses WebSocket) served from each upstream protocol.
import type { SseEvent } from '../../protocol/sse';
import type { ResponsesRequest, ResponsesStreamEvent } from '../../protocol/openai-responses';
import { ResponsesAccumulator } from '../responses-accumulator';
import { UpstreamShapeError, eventJson, type Bridge } from './bridge';
import { responsesErrorEvent } from './client-dialects';
import { collectResponse } from './stream-stages';

/**
 * Same protocol: the body as it came (unknown fields kept), a whole answer's bytes as they came,
 * and the stream's events as they came except `response.completed`, whose `output` is filled
 * from the streamed items (the Codex backend sends it empty; Codex CLI reads the answer there).
 */
export function responsesViaResponses(): Bridge<ResponsesRequest, ResponsesRequest> {
  return {
    request: (body) => body,
    answer: () => undefined,
    collect: (events, context) => collectResponse(events, context.instance),
    stream: (events, context) => {
      const forwarded = new ForwardedEvents(events, context.instance);
      return { events: forwarded, errorEvent: (error) => responsesErrorEvent(error, forwarded.lastSequence) };
    },
  };
}

/** A Responses upstream's events with the terminal response's output filled; remembers the last sequence number. */
class ForwardedEvents implements AsyncIterable<SseEvent> {
  lastSequence = -1;

  constructor(
    private readonly events: AsyncIterable<SseEvent>,
    private readonly instance: string,
  ) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<SseEvent> {
    const accumulator = new ResponsesAccumulator();
    for await (const event of this.events) {
      const parsed = eventJson<ResponsesStreamEvent>(event, this.instance);
      if (typeof parsed.sequence_number === 'number') this.lastSequence = parsed.sequence_number;
      const forwarded = accumulator.push(parsed);
      yield forwarded === parsed ? { event: parsed.type, data: event.data } : { event: parsed.type, data: JSON.stringify(forwarded) };
    }
  }
}

/** PLACEHOLDER until the Responses-from-chat translators land. */
function notYet<T>(): Bridge<ResponsesRequest, T> {
  const fail = (): never => {
    throw new UpstreamShapeError('not yet');
  };
  return { request: fail, answer: fail, collect: fail, stream: fail };
}
export function responsesViaChat(_t: unknown): Bridge<ResponsesRequest, import('../../protocol/openai-chat').ChatCompletionRequest> {
  return notYet();
}
export function responsesViaMessages(_t: unknown): Bridge<ResponsesRequest, import('../../protocol/anthropic-messages').MessagesRequest> {
  return notYet();
}
