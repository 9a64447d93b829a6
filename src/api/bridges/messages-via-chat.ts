// Serves an Anthropic Messages client (Claude Code, the Anthropic SDK) from a provider that
// speaks OpenAI chat — directly, or through the Responses bridge for Codex: the request
// translated Messages → chat, the answer chat → Messages events or one Message.
import { Injectable } from '@nestjs/common';
import type { AnthropicMessage, MessagesRequest } from '../../protocol/anthropic-messages';
import type { ChatCompletion, ChatCompletionRequest } from '../../protocol/openai-chat';
import type { SseEvent } from '../../protocol/sse';
import { ChatCompletionToMessageTranslator } from '../../translate/chat-completion-to-message.translator';
import { ChatToMessagesStreamTranslator, messagesSseEvent, type ChatStreamPayload } from '../../translate/chat-to-messages-stream.translator';
import { MessagesToChatTranslator } from '../../translate/messages-to-chat.translator';
import { UpstreamError } from '../../upstream/upstream-error';

@Injectable()
export class MessagesViaChat {
  constructor(
    private readonly toChat: MessagesToChatTranslator,
    private readonly toMessagesStream: ChatToMessagesStreamTranslator,
    private readonly toMessage: ChatCompletionToMessageTranslator,
  ) {}

  request(messages: MessagesRequest): ChatCompletionRequest {
    return this.toChat.translate(messages);
  }

  /**
   * Chat chunks (SSE data, as an OpenAI-chat executor or the Responses bridge yields them) as
   * Anthropic stream events. Nothing comes out before the first chunk, so an upstream failure
   * up to then is still an HTTP error; a chat stream that ends without a finish is an error.
   */
  async *events(chunks: AsyncIterable<SseEvent>, options: { instance: string; model: string }): AsyncGenerator<SseEvent> {
    const stream = this.toMessagesStream.createStream({ model: options.model });
    for await (const chunk of chunks) {
      for (const event of stream.push(parseChunk(chunk, options.instance))) yield messagesSseEvent(event);
    }
    for (const event of stream.finish()) yield messagesSseEvent(event);
  }

  message(completion: ChatCompletion, model: string): AnthropicMessage {
    return this.toMessage.translate(completion, { model });
  }
}

function parseChunk(event: SseEvent, instance: string): ChatStreamPayload {
  if (event.json !== undefined) return event.json as ChatStreamPayload;
  try {
    return JSON.parse(event.data) as ChatStreamPayload;
  } catch {
    throw new UpstreamError(`upstream ${instance} sent a chunk that is not JSON`, { failure: 'protocol', instance });
  }
}
