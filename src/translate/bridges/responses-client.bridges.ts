// The protocol table's Responses row: a Responses API client (the openai SDK's responses.create,
// Codex CLI, the inbound Responses WebSocket) served from each upstream protocol.
import type { AnthropicMessage, MessagesRequest } from '../../protocol/anthropic-messages';
import type { ChatCompletion, ChatCompletionRequest } from '../../protocol/openai-chat';
import type { GeminiRequest, GeminiResponse } from '../../protocol/gemini-generate-content';
import type { KiroRequest } from '../../protocol/kiro-assistant-response';
import type { ResponsesRequest, ResponsesStreamEvent } from '../../protocol/openai-responses';
import type { SseEvent } from '../../protocol/sse';
import { ResponsesAccumulator } from '../responses-accumulator';
import { responsesToolNames } from '../responses-chat-tools';
import { UpstreamShapeError, eventJson, type Bridge } from './bridge';
import { unexpectedJson } from './chat-client.bridges';
import { responsesErrorEvent } from './client-dialects';
import { chatToResponses, collectKiro, collectResponse, geminiToChat, kiroToChat, messagesToChat, pipe, responsesFrame, runStage, upstreamIds } from './stream-stages';
import type { Translators } from './translators';

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

/**
 * Chat upstream: Responses → chat (instructions, items by call_id, namespace and custom tools as
 * functions; hosted tools and previous_response_id refused), chat chunks → Responses events in the
 * order the SDK's stream helpers need, with the flattened tool names turned back into their calls.
 */
export function responsesViaChat(t: Translators): Bridge<ResponsesRequest, ChatCompletionRequest> {
  return {
    request: (body, { stream }) => t.responsesToChat.translate(streaming(body, stream)),
    answer: (parsed, context) => t.chatCompletionToResponse.translate(parsed() as ChatCompletion, { model: context.model, tools: responsesToolNames(context.request) }),
    collect: () => {
      throw new UpstreamShapeError('a chat upstream streamed an answer that was asked for whole');
    },
    stream: (events, context) => {
      const stream = t.chatToResponsesStream.createStream({ model: context.model, tools: responsesToolNames(context.request) });
      return { events: runStage(events, context.instance, chatToResponses(stream), responsesFrame), errorEvent: (error) => responsesErrorEvent(error, stream.lastSequence) };
    },
  };
}

/**
 * Messages upstream (Claude), composed through chat: Responses → chat → Messages, and Messages
 * events → chat chunks → Responses events. Usage is always carried; the message id becomes the
 * response's once (`resp_msg_…`).
 */
export function responsesViaMessages(t: Translators): Bridge<ResponsesRequest, MessagesRequest> {
  return {
    request: (body, { stream }) => t.chatToMessages.translate(t.responsesToChat.translate(streaming(body, stream))),
    answer: (parsed, context) => {
      const message = parsed() as AnthropicMessage;
      const completion = t.messageToChatCompletion.translate(message, { model: context.model });
      return t.chatCompletionToResponse.translate({ ...completion, id: message.id }, { model: context.model, tools: responsesToolNames(context.request) });
    },
    collect: () => {
      throw new UpstreamShapeError('a Messages upstream streamed an answer that was asked for whole');
    },
    stream: (events, context) => {
      const stream = t.chatToResponsesStream.createStream({ model: context.model, tools: responsesToolNames(context.request) });
      const stage = pipe(pipe(messagesToChat(t, { model: context.model, includeUsage: true }), upstreamIds()), chatToResponses(stream));
      return { events: runStage(events, context.instance, stage, responsesFrame), errorEvent: (error) => responsesErrorEvent(error, stream.lastSequence) };
    },
  };
}

/**
 * Gemini upstream, composed through chat: Responses → chat → Gemini, and Gemini chunks → chat
 * chunks → Responses events. Usage is always carried; the response id is Gemini's, wrapped once.
 */
export function responsesViaGemini(t: Translators): Bridge<ResponsesRequest, GeminiRequest> {
  return {
    request: (body, { stream }) => t.chatToGemini.translate(t.responsesToChat.translate(streaming(body, stream))),
    answer: (parsed, context) => {
      const completion = t.geminiResponseToChatCompletion.translate(parsed() as GeminiResponse, { model: context.model });
      return t.chatCompletionToResponse.translate({ ...completion, id: completion.id.replace(/^chatcmpl-/, '') }, { model: context.model, tools: responsesToolNames(context.request) });
    },
    collect: () => {
      throw new UpstreamShapeError('a Gemini upstream streamed an answer that was asked for whole');
    },
    stream: (events, context) => {
      const stream = t.chatToResponsesStream.createStream({ model: context.model, tools: responsesToolNames(context.request) });
      const stage = pipe(pipe(geminiToChat(t, { model: context.model, includeUsage: true }), upstreamIds()), chatToResponses(stream));
      return { events: runStage(events, context.instance, stage, responsesFrame), errorEvent: (error) => responsesErrorEvent(error, stream.lastSequence) };
    },
  };
}

/**
 * Kiro upstream, composed through chat: Responses → chat → Kiro, and Kiro events → chat chunks →
 * Responses events. Kiro always streams, so a whole answer is collected from the stream.
 */
export function responsesViaKiro(t: Translators): Bridge<ResponsesRequest, KiroRequest> {
  return {
    request: (body, { stream }) => t.chatToKiro.translate(t.responsesToChat.translate(streaming(body, stream))),
    answer: (_parsed, context) => {
      throw unexpectedJson(context.instance);
    },
    collect: async (events, context) => {
      const completion = await collectKiro(events, context, t);
      return t.chatCompletionToResponse.translate({ ...completion, id: completion.id.replace(/^chatcmpl-/, '') }, { model: context.model, tools: responsesToolNames(context.request) });
    },
    stream: (events, context) => {
      const stream = t.chatToResponsesStream.createStream({ model: context.model, tools: responsesToolNames(context.request) });
      const stage = pipe(pipe(kiroToChat(t, context, true), upstreamIds()), chatToResponses(stream));
      return { events: runStage(events, context.instance, stage, responsesFrame), errorEvent: (error) => responsesErrorEvent(error, stream.lastSequence) };
    },
  };
}

/** A WebSocket's `response.create` names no `stream` (every response streams): the upstream must be asked to. */
function streaming(body: ResponsesRequest, stream: boolean): ResponsesRequest {
  return stream && body.stream !== true ? { ...body, stream: true } : body;
}
