// The stream translations as synchronous stages over parsed objects, so a bridge composes them
// (a Messages client of a Responses upstream: Responses events → chat chunks → Messages events)
// and runs the whole pipeline in ONE async generator: an async generator per stage would cost a
// promise and a microtask per event per stage. Each stage produces nothing before its input's
// first event, and its `end` throws when the input stopped before the protocol's proper end.
import type { MessagesStreamEvent } from '../../protocol/anthropic-messages';
import type { ChatCompletionChunk } from '../../protocol/openai-chat';
import type { ResponseObject, ResponsesStreamEvent } from '../../protocol/openai-responses';
import type { SseEvent } from '../../protocol/sse';
import { messagesSseEvent, type ChatStreamPayload } from '../chat-to-messages-stream.translator';
import type { ChatToResponsesStream } from '../chat-to-responses-stream.translator';
import type { GeminiResponse } from '../../protocol/gemini-generate-content';
import { ResponsesAccumulator } from '../responses-accumulator';
import type { KiroStreamEvent } from '../../protocol/kiro-assistant-response';
import type { ChatCompletion } from '../../protocol/openai-chat';
import { ChatChunksToCompletion } from '../chat-chunks-to-completion';
import { kiroThinkingAsked } from '../kiro-thinking';
import { eventJson, type BridgeContext } from './bridge';
import type { Translators } from './translators';

/** One step of a stream translation: items in, items out. */
export interface Stage<I, O> {
  push(item: I): readonly O[];
  /** The input is over: what is left to send; throws if it stopped before its protocol's end. */
  end(): readonly O[];
  /** The input's protocol has ended (e.g. `response.completed`): nothing after it is read. */
  readonly finished: boolean;
}

export interface ChatStageOptions {
  model: string;
  /** End with a usage chunk (and `usage: null` on the others). */
  includeUsage: boolean;
}

/** Responses events → chat chunks. */
export function responsesToChat(t: Translators, options: ChatStageOptions): Stage<ResponsesStreamEvent, ChatCompletionChunk> {
  return endingStage(t.responsesToChatStream.createStream(options));
}

/** Messages events → chat chunks. */
export function messagesToChat(t: Translators, options: ChatStageOptions): Stage<MessagesStreamEvent, ChatCompletionChunk> {
  return endingStage(t.messagesToChatStream.createStream(options));
}

/** A translator stream that sees its protocol's own end (and `end()` throws when it did not come). */
function endingStage<I, O>(stream: { push(item: I): O[]; end(): void; readonly finished: boolean }): Stage<I, O> {
  return {
    push: (item) => stream.push(item),
    end: () => {
      stream.end();
      return [];
    },
    get finished() {
      return stream.finished;
    },
  };
}

/** Gemini chunks → chat chunks; the finish and usage chunks come at the end (Gemini's stream ends at EOF). */
export function geminiToChat(t: Translators, options: ChatStageOptions): Stage<GeminiResponse, ChatCompletionChunk> {
  const stream = t.geminiToChatStream.createStream(options);
  return { push: (chunk) => stream.push(chunk), end: () => stream.end(), finished: false };
}

/**
 * Kiro events → chat chunks; the finish and usage chunks come at the end (Kiro's stream ends at
 * EOF). Inline thinking is split out of the text only when the request sent switched it on.
 */
export function kiroToChat(t: Translators, context: Pick<BridgeContext<unknown>, 'model' | 'sent'>, includeUsage: boolean): Stage<KiroStreamEvent, ChatCompletionChunk> {
  const stream = t.kiroToChatStream.createStream({ model: context.model, includeUsage, thinking: kiroThinkingAsked(context.sent) });
  return { push: (event) => stream.push(event), end: () => stream.end(), finished: false };
}

/** Reads a Kiro event stream to its end and returns the whole answer as a Chat Completion (usage included). */
export async function collectKiro(events: AsyncIterable<SseEvent>, context: BridgeContext<unknown>, t: Translators): Promise<ChatCompletion> {
  const stage = kiroToChat(t, context, true);
  const completion = new ChatChunksToCompletion();
  for await (const event of events) for (const chunk of stage.push(eventJson<KiroStreamEvent>(event, context.instance))) completion.push(chunk);
  for (const chunk of stage.end()) completion.push(chunk);
  return completion.completion();
}

/** Chat chunks (an upstream's error payload included: it throws) → Gemini chunks. */
export function chatToGemini(t: Translators, options: { model: string }): Stage<ChatStreamPayload, GeminiResponse> {
  const stream = t.chatToGeminiStream.createStream(options);
  return { push: (chunk) => stream.push(chunk), end: () => stream.finish(), finished: false };
}

/** Chat chunks (an upstream's error payload included: it throws) → Messages events. */
export function chatToMessages(t: Translators, options: { model: string }): Stage<ChatStreamPayload, MessagesStreamEvent> {
  const stream = t.chatToMessagesStream.createStream(options);
  return { push: (chunk) => stream.push(chunk), end: () => stream.finish(), finished: false };
}

/** Chat chunks → Responses events; the stream is the caller's, for its last sequence number. */
export function chatToResponses(stream: ChatToResponsesStream): Stage<ChatStreamPayload, ResponsesStreamEvent> {
  return { push: (chunk) => stream.push(chunk), end: () => stream.finish(), finished: false };
}

const DERIVED_PREFIX = 'chatcmpl-';

/**
 * A chunk id an earlier stage derived (`chatcmpl-<upstream id>`) read back to the upstream's own,
 * so the next stage wraps it once (`msg_resp_1`, not `msg_chatcmpl-resp_1`).
 */
export function upstreamIds(): Stage<ChatCompletionChunk, ChatCompletionChunk> {
  return {
    push: (chunk) => [typeof chunk.id === 'string' && chunk.id.startsWith(DERIVED_PREFIX) ? { ...chunk, id: chunk.id.slice(DERIVED_PREFIX.length) } : chunk],
    end: () => [],
    finished: false,
  };
}

/** `first` then `second`: finished when `first` is; ending ends both, in order. */
export function pipe<A, B, C>(first: Stage<A, B>, second: Stage<B, C>): Stage<A, C> {
  const through = (items: readonly B[]): C[] => {
    const out: C[] = [];
    for (const item of items) for (const next of second.push(item)) out.push(next);
    return out;
  };
  return {
    push: (item) => through(first.push(item)),
    end: () => [...through(first.end()), ...second.end()],
    get finished() {
      return first.finished;
    },
  };
}

/** Runs a stage over an upstream's SSE events (their JSON), framing what it produces. */
export async function* runStage<O>(events: AsyncIterable<SseEvent>, instance: string, stage: Stage<never, O>, frame: (item: O) => SseEvent): AsyncGenerator<SseEvent> {
  for await (const event of events) {
    for (const item of stage.push(eventJson<never>(event, instance))) yield frame(item);
    if (stage.finished) break;
  }
  for (const item of stage.end()) yield frame(item);
}

/** A chat chunk as chat SSE. */
export function chatFrame(chunk: ChatCompletionChunk): SseEvent {
  return { data: JSON.stringify(chunk), json: chunk };
}

/** A Messages event as Messages SSE (named after its type; the SDK requires the name). */
export const messagesFrame = messagesSseEvent;

/** A Responses event as Responses SSE (named after its type). */
export function responsesFrame(event: ResponsesStreamEvent): SseEvent {
  return { event: event.type, data: JSON.stringify(event), json: event };
}

/** A Gemini chunk as Gemini SSE: a bare `data:` line (alt=sse has no event names and no terminator). */
export function geminiFrame(chunk: GeminiResponse): SseEvent {
  return { data: JSON.stringify(chunk), json: chunk };
}

/** Reads a Responses event stream to its end and returns the finished Response (output filled). */
export async function collectResponse(events: AsyncIterable<SseEvent>, instance: string): Promise<ResponseObject> {
  const accumulator = new ResponsesAccumulator();
  for await (const event of events) {
    accumulator.push(eventJson<ResponsesStreamEvent>(event, instance));
    if (accumulator.finished || accumulator.error) break;
  }
  return accumulator.completedResponse();
}
