// The translators the bridges compose. Each is stateless (a stream's state lives in the object
// its createStream returns), so one set serves every request.
import { ChatCompletionToMessageTranslator } from '../chat-completion-to-message.translator';
import { ChatCompletionToResponseTranslator } from '../chat-completion-to-response.translator';
import { ChatToMessagesStreamTranslator } from '../chat-to-messages-stream.translator';
import { ChatToMessagesTranslator } from '../chat-to-messages.translator';
import { ChatToResponsesStreamTranslator } from '../chat-to-responses-stream.translator';
import { ChatToResponsesTranslator } from '../chat-to-responses.translator';
import { ChatCompletionToGeminiTranslator } from '../chat-completion-to-gemini.translator';
import { ChatToGeminiStreamTranslator } from '../chat-to-gemini-stream.translator';
import { ChatToGeminiTranslator } from '../chat-to-gemini.translator';
import { GeminiResponseToChatCompletionTranslator } from '../gemini-response-to-chat-completion.translator';
import { GeminiToChatStreamTranslator } from '../gemini-to-chat-stream.translator';
import { GeminiToChatTranslator } from '../gemini-to-chat.translator';
import { ChatToKiroTranslator } from '../chat-to-kiro.translator';
import { KiroToChatStreamTranslator } from '../kiro-to-chat-stream.translator';
import { MessageToChatCompletionTranslator } from '../message-to-chat-completion.translator';
import { MessagesToChatStreamTranslator } from '../messages-to-chat-stream.translator';
import { MessagesToChatTranslator } from '../messages-to-chat.translator';
import { ResponseToChatCompletionTranslator } from '../response-to-chat-completion.translator';
import { ResponsesToChatStreamTranslator } from '../responses-to-chat-stream.translator';
import { ResponsesToChatTranslator } from '../responses-to-chat.translator';

export interface Translators {
  // chat ⇄ Responses
  chatToResponses: ChatToResponsesTranslator;
  responsesToChatStream: ResponsesToChatStreamTranslator;
  responseToChatCompletion: ResponseToChatCompletionTranslator;
  // chat ⇄ Messages
  chatToMessages: ChatToMessagesTranslator;
  messagesToChatStream: MessagesToChatStreamTranslator;
  messageToChatCompletion: MessageToChatCompletionTranslator;
  messagesToChat: MessagesToChatTranslator;
  chatToMessagesStream: ChatToMessagesStreamTranslator;
  chatCompletionToMessage: ChatCompletionToMessageTranslator;
  // Responses ⇄ chat
  responsesToChat: ResponsesToChatTranslator;
  chatToResponsesStream: ChatToResponsesStreamTranslator;
  chatCompletionToResponse: ChatCompletionToResponseTranslator;
  // chat ⇄ Gemini
  chatToGemini: ChatToGeminiTranslator;
  geminiToChatStream: GeminiToChatStreamTranslator;
  geminiResponseToChatCompletion: GeminiResponseToChatCompletionTranslator;
  geminiToChat: GeminiToChatTranslator;
  chatToGeminiStream: ChatToGeminiStreamTranslator;
  chatCompletionToGemini: ChatCompletionToGeminiTranslator;
  // chat → Kiro (Kiro is an upstream only: its answers come back through chat)
  chatToKiro: ChatToKiroTranslator;
  kiroToChatStream: KiroToChatStreamTranslator;
}

export function createTranslators(): Translators {
  return {
    chatToResponses: new ChatToResponsesTranslator(),
    responsesToChatStream: new ResponsesToChatStreamTranslator(),
    responseToChatCompletion: new ResponseToChatCompletionTranslator(),
    chatToMessages: new ChatToMessagesTranslator(),
    messagesToChatStream: new MessagesToChatStreamTranslator(),
    messageToChatCompletion: new MessageToChatCompletionTranslator(),
    messagesToChat: new MessagesToChatTranslator(),
    chatToMessagesStream: new ChatToMessagesStreamTranslator(),
    chatCompletionToMessage: new ChatCompletionToMessageTranslator(),
    responsesToChat: new ResponsesToChatTranslator(),
    chatToResponsesStream: new ChatToResponsesStreamTranslator(),
    chatCompletionToResponse: new ChatCompletionToResponseTranslator(),
    chatToGemini: new ChatToGeminiTranslator(),
    geminiToChatStream: new GeminiToChatStreamTranslator(),
    geminiResponseToChatCompletion: new GeminiResponseToChatCompletionTranslator(),
    geminiToChat: new GeminiToChatTranslator(),
    chatToGeminiStream: new ChatToGeminiStreamTranslator(),
    chatCompletionToGemini: new ChatCompletionToGeminiTranslator(),
    chatToKiro: new ChatToKiroTranslator(),
    kiroToChatStream: new KiroToChatStreamTranslator(),
  };
}
