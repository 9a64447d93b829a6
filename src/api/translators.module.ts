// Registers the translators (plain classes in src/translate/, no Nest inside) for injection.
import { Module } from '@nestjs/common';
import { ChatCompletionToMessageTranslator } from '../translate/chat-completion-to-message.translator';
import { ChatToMessagesStreamTranslator } from '../translate/chat-to-messages-stream.translator';
import { ChatToMessagesTranslator } from '../translate/chat-to-messages.translator';
import { ChatToResponsesTranslator } from '../translate/chat-to-responses.translator';
import { MessageToChatCompletionTranslator } from '../translate/message-to-chat-completion.translator';
import { MessagesToChatStreamTranslator } from '../translate/messages-to-chat-stream.translator';
import { MessagesToChatTranslator } from '../translate/messages-to-chat.translator';
import { ResponseToChatCompletionTranslator } from '../translate/response-to-chat-completion.translator';
import { ResponsesToChatStreamTranslator } from '../translate/responses-to-chat-stream.translator';

const TRANSLATORS = [
  // chat clients on Responses providers
  ChatToResponsesTranslator,
  ResponsesToChatStreamTranslator,
  ResponseToChatCompletionTranslator,
  // chat clients on Messages providers (Claude)
  ChatToMessagesTranslator,
  MessagesToChatStreamTranslator,
  MessageToChatCompletionTranslator,
  // Messages clients on chat providers
  MessagesToChatTranslator,
  ChatToMessagesStreamTranslator,
  ChatCompletionToMessageTranslator,
];

@Module({ providers: TRANSLATORS, exports: TRANSLATORS })
export class TranslatorsModule {}
