// Serves a Chat Completions client from a provider that speaks Anthropic's Messages API (Claude):
// the request translated chat → Messages, the answer Messages events → chat chunks or one
// completion.
import { Injectable } from '@nestjs/common';
import type { AnthropicMessage, MessagesRequest, MessagesStreamEvent } from '../../protocol/anthropic-messages';
import type { ChatCompletion, ChatCompletionRequest } from '../../protocol/openai-chat';
import type { SseEvent } from '../../protocol/sse';
import { ChatToMessagesTranslator } from '../../translate/chat-to-messages.translator';
import { MessageToChatCompletionTranslator } from '../../translate/message-to-chat-completion.translator';
import { MessagesToChatStreamTranslator } from '../../translate/messages-to-chat-stream.translator';
import { UpstreamError } from '../../upstream/upstream-error';

@Injectable()
export class ChatViaMessages {
  constructor(
    private readonly toMessages: ChatToMessagesTranslator,
    private readonly toChatStream: MessagesToChatStreamTranslator,
    private readonly toCompletion: MessageToChatCompletionTranslator,
  ) {}

  request(chat: ChatCompletionRequest): MessagesRequest {
    return this.toMessages.translate(chat);
  }

  /** Anthropic events as chat chunks (SSE data, no terminator); a stream cut before message_stop throws. */
  async *chunks(events: AsyncIterable<SseEvent>, options: { instance: string; model: string; includeUsage: boolean }): AsyncGenerator<SseEvent> {
    const stream = this.toChatStream.createStream({ includeUsage: options.includeUsage, model: options.model });
    for await (const event of events) {
      for (const chunk of stream.push(parseEvent(event, options.instance))) yield { data: JSON.stringify(chunk) };
      if (stream.finished) return;
    }
    stream.end();
  }

  completion(message: AnthropicMessage, model: string): ChatCompletion {
    return this.toCompletion.translate(message, { model });
  }
}

function parseEvent(event: SseEvent, instance: string): MessagesStreamEvent {
  if (event.json !== undefined) return event.json as MessagesStreamEvent;
  try {
    return JSON.parse(event.data) as MessagesStreamEvent;
  } catch {
    throw new UpstreamError(`upstream ${instance} sent an event that is not JSON`, { failure: 'protocol', instance });
  }
}
