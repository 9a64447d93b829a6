// The stream translations as stages over parsed objects, so a bridge composes them: a Messages
// client of a Responses upstream runs Responses → chat chunks → Messages events, with no JSON
// text in between. Each stage produces nothing before its input's first event, and throws when
// its input ends before the protocol's proper end.
import type { MessagesStreamEvent } from '../../protocol/anthropic-messages';
import type { ChatCompletionChunk } from '../../protocol/openai-chat';
import type { ResponseObject, ResponsesStreamEvent } from '../../protocol/openai-responses';
import type { SseEvent } from '../../protocol/sse';
import type { ChatStreamPayload } from '../chat-to-messages-stream.translator';
import type { ChatToResponsesStream } from '../chat-to-responses-stream.translator';
import { messagesSseEvent } from '../chat-to-messages-stream.translator';
import { ResponsesAccumulator } from '../responses-accumulator';
import { eventJson } from './bridge';
import type { Translators } from './translators';

export interface ChatStageOptions {
  instance: string;
  model: string;
  /** End with a usage chunk (and `usage: null` on the others). */
  includeUsage: boolean;
}

/** Responses events as chat chunks; ends at `response.completed`, throws if the stream stops before it. */
export async function* chatChunksFromResponses(events: AsyncIterable<SseEvent>, translators: Translators, options: ChatStageOptions): AsyncGenerator<ChatCompletionChunk> {
  const stream = translators.responsesToChatStream.createStream({ includeUsage: options.includeUsage, model: options.model });
  for await (const event of events) {
    yield* stream.push(eventJson<ResponsesStreamEvent>(event, options.instance));
    if (stream.finished) return;
  }
  stream.end();
}

/** Messages events as chat chunks; ends at `message_stop`, throws if the stream stops before it. */
export async function* chatChunksFromMessages(events: AsyncIterable<SseEvent>, translators: Translators, options: ChatStageOptions): AsyncGenerator<ChatCompletionChunk> {
  const stream = translators.messagesToChatStream.createStream({ includeUsage: options.includeUsage, model: options.model });
  for await (const event of events) {
    yield* stream.push(eventJson<MessagesStreamEvent>(event, options.instance));
    if (stream.finished) return;
  }
  stream.end();
}

/** A chat upstream's chunks, parsed (an error payload included: the next stage raises it). */
export async function* chatPayloads(events: AsyncIterable<SseEvent>, instance: string): AsyncGenerator<ChatStreamPayload> {
  for await (const event of events) yield eventJson<ChatStreamPayload>(event, instance);
}

/**
 * Chat chunks as Messages events. A chunk id made by an earlier stage (`chatcmpl-<upstream id>`)
 * is read back to the upstream's id, so the message id wraps it once (`msg_resp_1`, not
 * `msg_chatcmpl-resp_1`).
 */
export async function* messagesEventsFromChat(chunks: AsyncIterable<ChatStreamPayload>, translators: Translators, options: { model: string }): AsyncGenerator<MessagesStreamEvent> {
  const stream = translators.chatToMessagesStream.createStream({ model: options.model });
  for await (const chunk of chunks) yield* stream.push(chunk);
  yield* stream.finish();
}

/** Chat chunks (a chat upstream's, or an earlier stage's) as Responses events; throws if they stop before a finish. */
export async function* responsesEventsFromChat(chunks: AsyncIterable<ChatStreamPayload>, stream: ChatToResponsesStream): AsyncGenerator<ResponsesStreamEvent> {
  for await (const chunk of chunks) yield* stream.push(chunk);
  yield* stream.finish();
}

/** Responses event objects as Responses SSE events (named after their type). */
export async function* responsesSse(events: AsyncIterable<ResponsesStreamEvent>): AsyncGenerator<SseEvent> {
  for await (const event of events) yield { event: event.type, data: JSON.stringify(event), json: event };
}

/** Chat chunk objects as chat SSE events. */
export async function* chatSse(chunks: AsyncIterable<ChatCompletionChunk>): AsyncGenerator<SseEvent> {
  for await (const chunk of chunks) yield { data: JSON.stringify(chunk), json: chunk };
}

/** Messages event objects as Messages SSE events (named after their type). */
export async function* messagesSse(events: AsyncIterable<MessagesStreamEvent>): AsyncGenerator<SseEvent> {
  for await (const event of events) yield messagesSseEvent(event);
}

/** The id an earlier stage derived (`chatcmpl-<id>`), back to the upstream's own. */
export async function* withUpstreamIds(chunks: AsyncIterable<ChatCompletionChunk>): AsyncGenerator<ChatCompletionChunk> {
  for await (const chunk of chunks) {
    yield typeof chunk.id === 'string' && chunk.id.startsWith(DERIVED_PREFIX) ? { ...chunk, id: chunk.id.slice(DERIVED_PREFIX.length) } : chunk;
  }
}
const DERIVED_PREFIX = 'chatcmpl-';

/** Reads a Responses event stream to its end and returns the finished Response (output filled). */
export async function collectResponse(events: AsyncIterable<SseEvent>, instance: string): Promise<ResponseObject> {
  const accumulator = new ResponsesAccumulator();
  for await (const event of events) {
    accumulator.push(eventJson<ResponsesStreamEvent>(event, instance));
    if (accumulator.finished || accumulator.error) break;
  }
  return accumulator.completedResponse();
}

