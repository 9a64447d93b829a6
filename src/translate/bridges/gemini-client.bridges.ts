// The protocol table's Gemini row: a Gemini generateContent client (the genai SDK, Gemini CLI
// with an API key) served from each upstream protocol. Every translated cell goes through chat:
// Gemini → chat (→ Responses / Messages) for the request, and the upstream's answer → chat →
// Gemini chunks for the answer, carrying the upstream's ids, usage and stop reasons once.
import type { AnthropicMessage, MessagesRequest } from '../../protocol/anthropic-messages';
import type { GeminiRequest } from '../../protocol/gemini-generate-content';
import type { ChatCompletion, ChatCompletionRequest } from '../../protocol/openai-chat';
import type { KiroRequest } from '../../protocol/kiro-assistant-response';
import type { ResponsesRequest } from '../../protocol/openai-responses';
import { askForUsage } from '../chat-usage-chunks';
import { UpstreamShapeError, type Bridge } from './bridge';
import { unexpectedJson } from './chat-client.bridges';
import { geminiErrorEvent } from './client-dialects';
import { chatToGemini, collectKiro, collectResponse, geminiFrame, kiroToChat, messagesToChat, pipe, responsesToChat, runStage } from './stream-stages';
import type { Translators } from './translators';

/** Same protocol: the body as it came (the executor takes out the routing fields), the answer as it came. */
export function geminiViaGemini(): Bridge<GeminiRequest, GeminiRequest> {
  return {
    request: (body) => body,
    answer: () => undefined,
    collect: () => {
      throw new UpstreamShapeError('a Gemini upstream streamed an answer that was asked for whole');
    },
    stream: (events) => ({ events, errorEvent: geminiErrorEvent }),
  };
}

/** Chat upstream: Gemini → chat (usage asked for, Gemini reports it on the last chunk), chat chunks → Gemini chunks. */
export function geminiViaChat(t: Translators): Bridge<GeminiRequest, ChatCompletionRequest> {
  return {
    request: (body, { stream }) => {
      const chat = t.geminiToChat.translate(body);
      return stream ? askForUsage({ ...chat, stream: true }) : chat;
    },
    answer: (parsed, context) => t.chatCompletionToGemini.translate(parsed() as ChatCompletion, { model: context.model }),
    collect: () => {
      throw new UpstreamShapeError('a chat upstream streamed an answer that was asked for whole');
    },
    stream: (events, context) => ({
      events: runStage(events, context.instance, chatToGemini(t, { model: context.model }), geminiFrame),
      errorEvent: geminiErrorEvent,
    }),
  };
}

/** Responses upstream (Codex), composed through chat; it always streams, so a whole answer is collected. */
export function geminiViaResponses(t: Translators): Bridge<GeminiRequest, ResponsesRequest> {
  return {
    request: (body) => t.chatToResponses.translate(t.geminiToChat.translate(body)),
    answer: (_parsed, context) => {
      throw unexpectedJson(context.instance);
    },
    collect: async (events, context) => {
      const completion = t.responseToChatCompletion.translate(await collectResponse(events, context.instance), { model: context.model });
      return t.chatCompletionToGemini.translate(completion, { model: context.model });
    },
    stream: (events, context) => {
      const stage = pipe(responsesToChat(t, { model: context.model, includeUsage: true }), chatToGemini(t, { model: context.model }));
      return { events: runStage(events, context.instance, stage, geminiFrame), errorEvent: geminiErrorEvent };
    },
  };
}

/** Messages upstream (Claude), composed through chat. */
export function geminiViaMessages(t: Translators): Bridge<GeminiRequest, MessagesRequest> {
  return {
    request: (body) => t.chatToMessages.translate(t.geminiToChat.translate(body)),
    answer: (parsed, context) => {
      const completion = t.messageToChatCompletion.translate(parsed() as AnthropicMessage, { model: context.model });
      return t.chatCompletionToGemini.translate(completion, { model: context.model });
    },
    collect: () => {
      throw new UpstreamShapeError('a Messages upstream streamed an answer that was asked for whole');
    },
    stream: (events, context) => {
      const stage = pipe(messagesToChat(t, { model: context.model, includeUsage: true }), chatToGemini(t, { model: context.model }));
      return { events: runStage(events, context.instance, stage, geminiFrame), errorEvent: geminiErrorEvent };
    },
  };
}

/** Kiro upstream, composed through chat; it always streams, so a whole answer is collected. */
export function geminiViaKiro(t: Translators): Bridge<GeminiRequest, KiroRequest> {
  return {
    request: (body) => t.chatToKiro.translate(t.geminiToChat.translate(body)),
    answer: (_parsed, context) => {
      throw unexpectedJson(context.instance);
    },
    collect: async (events, context) => t.chatCompletionToGemini.translate(await collectKiro(events, context, t), { model: context.model }),
    stream: (events, context) => {
      const stage = pipe(kiroToChat(t, context, true), chatToGemini(t, { model: context.model }));
      return { events: runStage(events, context.instance, stage, geminiFrame), errorEvent: geminiErrorEvent };
    },
  };
}
