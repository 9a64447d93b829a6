// Registers the translators (plain classes in src/translate/, no Nest inside) for injection.
import { Module } from '@nestjs/common';
import { ChatToResponsesTranslator } from '../translate/chat-to-responses.translator';
import { ResponseToChatCompletionTranslator } from '../translate/response-to-chat-completion.translator';
import { ResponsesToChatStreamTranslator } from '../translate/responses-to-chat-stream.translator';

const TRANSLATORS = [ChatToResponsesTranslator, ResponsesToChatStreamTranslator, ResponseToChatCompletionTranslator];

@Module({ providers: TRANSLATORS, exports: TRANSLATORS })
export class TranslatorsModule {}
