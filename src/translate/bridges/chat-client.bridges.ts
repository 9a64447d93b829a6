// The protocol table's chat row: a Chat Completions client served from each upstream protocol.
import type { AnthropicMessage, MessagesRequest } from '../../protocol/anthropic-messages';
import type { ChatCompletionRequest } from '../../protocol/openai-chat';
import type { GeminiRequest, GeminiResponse } from '../../protocol/gemini-generate-content';
import type { ResponsesRequest } from '../../protocol/openai-responses';
import type { KiroRequest } from '../../protocol/kiro-assistant-response';
import { askForUsage, withoutAskedUsage } from '../chat-usage-chunks';
import { UpstreamShapeError, type Bridge, type BridgeContext } from './bridge';
import { CHAT_DONE_FRAME, chatErrorEvent } from './client-dialects';
import { chatFrame, collectKiro, collectResponse, geminiToChat, kiroToChat, messagesToChat, responsesToChat, runStage } from './stream-stages';
import type { Translators } from './translators';

type ChatContext = BridgeContext<ChatCompletionRequest>;

const includeUsage = (context: ChatContext): boolean => context.request.stream_options?.include_usage === true;

/**
 * Same protocol: the body as it came (unknown fields kept), the answer's bytes as they came.
 * Usage accounting needs the usage chunk of every stream, so it is asked for and then kept from
 * a client that did not ask (chat-usage-chunks.ts).
 */
export function chatViaChat(): Bridge<ChatCompletionRequest, ChatCompletionRequest> {
  return {
    request: (body, { stream }) => (stream && body.stream_options?.include_usage !== true ? askForUsage(body) : body),
    answer: () => undefined,
    collect: () => {
      throw new UpstreamShapeError('a chat upstream streamed an answer that was asked for whole');
    },
    stream: (events, context) => ({
      events,
      rewrite: includeUsage(context) ? undefined : withoutAskedUsage,
      terminator: CHAT_DONE_FRAME,
      errorEvent: chatErrorEvent,
    }),
  };
}

/** Responses upstream (Codex): it always streams, so a whole answer is collected from the stream. */
export function chatViaResponses(t: Translators): Bridge<ChatCompletionRequest, ResponsesRequest> {
  return {
    request: (body) => t.chatToResponses.translate(body),
    answer: (_parsed, context) => {
      throw unexpectedJson(context.instance);
    },
    collect: async (events, context) => t.responseToChatCompletion.translate(await collectResponse(events, context.instance), { model: context.model }),
    stream: (events, context) => ({
      events: runStage(events, context.instance, responsesToChat(t, { model: context.model, includeUsage: includeUsage(context) }), chatFrame),
      terminator: CHAT_DONE_FRAME,
      errorEvent: chatErrorEvent,
    }),
  };
}

/** Messages upstream (Claude). */
export function chatViaMessages(t: Translators): Bridge<ChatCompletionRequest, MessagesRequest> {
  return {
    request: (body) => t.chatToMessages.translate(body),
    answer: (parsed, context) => t.messageToChatCompletion.translate(parsed() as AnthropicMessage, { model: context.model }),
    collect: () => {
      throw new UpstreamShapeError('a Messages upstream streamed an answer that was asked for whole');
    },
    stream: (events, context) => ({
      events: runStage(events, context.instance, messagesToChat(t, { model: context.model, includeUsage: includeUsage(context) }), chatFrame),
      terminator: CHAT_DONE_FRAME,
      errorEvent: chatErrorEvent,
    }),
  };
}

/** Gemini upstream: a whole answer from generateContent, a stream from streamGenerateContent. */
export function chatViaGemini(t: Translators): Bridge<ChatCompletionRequest, GeminiRequest> {
  return {
    request: (body) => t.chatToGemini.translate(body),
    answer: (parsed, context) => t.geminiResponseToChatCompletion.translate(parsed() as GeminiResponse, { model: context.model }),
    collect: () => {
      throw new UpstreamShapeError('a Gemini upstream streamed an answer that was asked for whole');
    },
    stream: (events, context) => ({
      events: runStage(events, context.instance, geminiToChat(t, { model: context.model, includeUsage: includeUsage(context) }), chatFrame),
      terminator: CHAT_DONE_FRAME,
      errorEvent: chatErrorEvent,
    }),
  };
}

/** Kiro upstream: it always streams (AWS event-stream frames), so a whole answer is collected from the stream. */
export function chatViaKiro(t: Translators): Bridge<ChatCompletionRequest, KiroRequest> {
  return {
    request: (body) => t.chatToKiro.translate(body),
    answer: (_parsed, context) => {
      throw unexpectedJson(context.instance);
    },
    collect: (events, context) => collectKiro(events, context, t),
    stream: (events, context) => ({
      events: runStage(events, context.instance, kiroToChat(t, context, includeUsage(context)), chatFrame),
      terminator: CHAT_DONE_FRAME,
      errorEvent: chatErrorEvent,
    }),
  };
}

export function unexpectedJson(instance: string): UpstreamShapeError {
  return new UpstreamShapeError(`upstream ${instance} answered without streaming, which this route cannot translate`);
}
