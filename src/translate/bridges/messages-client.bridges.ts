// The protocol table's Messages row: an Anthropic Messages client (Claude Code, the Anthropic
// SDK) served from each upstream protocol.
import type { MessagesRequest } from '../../protocol/anthropic-messages';
import type { ChatCompletion, ChatCompletionRequest } from '../../protocol/openai-chat';
import type { GeminiRequest, GeminiResponse } from '../../protocol/gemini-generate-content';
import type { ResponsesRequest } from '../../protocol/openai-responses';
import type { KiroRequest } from '../../protocol/kiro-assistant-response';
import { UpstreamShapeError, type Bridge } from './bridge';
import { unexpectedJson } from './chat-client.bridges';
import { messagesErrorEvent } from './client-dialects';
import { chatToMessages, collectKiro, collectResponse, geminiToChat, kiroToChat, messagesFrame, pipe, responsesToChat, runStage, upstreamIds } from './stream-stages';
import type { Translators } from './translators';

/** Same protocol: the body as it came (unknown fields kept), the answer's bytes as they came. */
export function messagesViaMessages(): Bridge<MessagesRequest, MessagesRequest> {
  return {
    request: (body) => body,
    answer: () => undefined,
    collect: () => {
      throw new UpstreamShapeError('a Messages upstream streamed an answer that was asked for whole');
    },
    stream: (events) => ({ events, errorEvent: messagesErrorEvent }),
  };
}

/** Chat upstream: Messages → chat, chat chunks → Messages events. */
export function messagesViaChat(t: Translators): Bridge<MessagesRequest, ChatCompletionRequest> {
  return {
    request: (body) => t.messagesToChat.translate(body),
    answer: (parsed, context) => t.chatCompletionToMessage.translate(parsed() as ChatCompletion, { model: context.model }),
    collect: () => {
      throw new UpstreamShapeError('a chat upstream streamed an answer that was asked for whole');
    },
    stream: (events, context) => ({
      events: runStage(events, context.instance, chatToMessages(t, { model: context.model }), messagesFrame),
      errorEvent: messagesErrorEvent,
    }),
  };
}

/**
 * Responses upstream (Codex), composed through chat: Messages → chat → Responses, and Responses →
 * chat chunks → Messages events. Usage is always carried (Anthropic's message_delta reports it),
 * and the upstream's response id is wrapped once (`msg_resp_…`).
 */
export function messagesViaResponses(t: Translators): Bridge<MessagesRequest, ResponsesRequest> {
  return {
    request: (body) => t.chatToResponses.translate(t.messagesToChat.translate(body)),
    answer: (_parsed, context) => {
      throw unexpectedJson(context.instance);
    },
    collect: async (events, context) => {
      const response = await collectResponse(events, context.instance);
      const completion = t.responseToChatCompletion.translate(response, { model: context.model });
      return t.chatCompletionToMessage.translate({ ...completion, id: response.id }, { model: context.model });
    },
    stream: (events, context) => {
      const stage = pipe(pipe(responsesToChat(t, { model: context.model, includeUsage: true }), upstreamIds()), chatToMessages(t, { model: context.model }));
      return { events: runStage(events, context.instance, stage, messagesFrame), errorEvent: messagesErrorEvent };
    },
  };
}

/**
 * Gemini upstream, composed through chat: Messages → chat → Gemini, and Gemini chunks → chat
 * chunks → Messages events. Usage is always carried; the response id becomes the message's once.
 */
export function messagesViaGemini(t: Translators): Bridge<MessagesRequest, GeminiRequest> {
  return {
    request: (body) => t.chatToGemini.translate(t.messagesToChat.translate(body)),
    answer: (parsed, context) => {
      const completion = t.geminiResponseToChatCompletion.translate(parsed() as GeminiResponse, { model: context.model });
      return t.chatCompletionToMessage.translate({ ...completion, id: completion.id.replace(/^chatcmpl-/, '') }, { model: context.model });
    },
    collect: () => {
      throw new UpstreamShapeError('a Gemini upstream streamed an answer that was asked for whole');
    },
    stream: (events, context) => {
      const stage = pipe(pipe(geminiToChat(t, { model: context.model, includeUsage: true }), upstreamIds()), chatToMessages(t, { model: context.model }));
      return { events: runStage(events, context.instance, stage, messagesFrame), errorEvent: messagesErrorEvent };
    },
  };
}

/**
 * Kiro upstream, composed through chat: Messages → chat → Kiro, and Kiro events → chat chunks →
 * Messages events. Kiro always streams, so a whole answer is collected from the stream.
 */
export function messagesViaKiro(t: Translators): Bridge<MessagesRequest, KiroRequest> {
  return {
    request: (body) => t.chatToKiro.translate(t.messagesToChat.translate(body)),
    answer: (_parsed, context) => {
      throw unexpectedJson(context.instance);
    },
    collect: async (events, context) => {
      const completion = await collectKiro(events, context, t);
      return t.chatCompletionToMessage.translate({ ...completion, id: completion.id.replace(/^chatcmpl-/, '') }, { model: context.model });
    },
    stream: (events, context) => {
      const stage = pipe(pipe(kiroToChat(t, context, true), upstreamIds()), chatToMessages(t, { model: context.model }));
      return { events: runStage(events, context.instance, stage, messagesFrame), errorEvent: messagesErrorEvent };
    },
  };
}
