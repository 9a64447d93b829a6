// Serves a Chat Completions client from a provider that speaks the Responses API (Codex):
// the request translated chat → Responses, the answer Responses → chat chunks or one completion.
import { Injectable } from '@nestjs/common';
import type { ChatCompletion, ChatCompletionRequest } from '../../protocol/openai-chat';
import type { ResponsesRequest } from '../../protocol/openai-responses';
import type { SseEvent } from '../../protocol/sse';
import { ChatToResponsesTranslator } from '../../translate/chat-to-responses.translator';
import { ResponseToChatCompletionTranslator } from '../../translate/response-to-chat-completion.translator';
import { ResponsesAccumulator } from '../../translate/responses-accumulator';
import { ResponsesToChatStreamTranslator } from '../../translate/responses-to-chat-stream.translator';
import { responsesEventOf } from './parse-event';

@Injectable()
export class ChatViaResponses {
  constructor(
    private readonly toResponses: ChatToResponsesTranslator,
    private readonly toChatStream: ResponsesToChatStreamTranslator,
    private readonly toCompletion: ResponseToChatCompletionTranslator,
  ) {}

  request(chat: ChatCompletionRequest): ResponsesRequest {
    return this.toResponses.translate(chat);
  }

  /**
   * The Responses events as chat chunks (SSE data, no terminator). Nothing is produced before
   * the first content, so an upstream failure up to then is still an HTTP error; a stream that
   * stops before `response.completed` throws.
   */
  async *chunks(events: AsyncIterable<SseEvent>, options: { instance: string; model: string; includeUsage: boolean }): AsyncGenerator<SseEvent> {
    const stream = this.toChatStream.createStream({ includeUsage: options.includeUsage, model: options.model });
    for await (const event of events) {
      for (const chunk of stream.push(responsesEventOf(event, options.instance))) yield { data: JSON.stringify(chunk) };
      if (stream.finished) return;
    }
    stream.end();
  }

  /** The whole answer as one chat completion (the upstream streams; the client did not ask to). */
  async completion(events: AsyncIterable<SseEvent>, options: { instance: string; model: string }): Promise<ChatCompletion> {
    const response = await collectResponse(events, options.instance);
    return this.toCompletion.translate(response, { model: options.model });
  }
}

/** Reads a Responses event stream to its end and returns the finished Response (output filled). */
export async function collectResponse(events: AsyncIterable<SseEvent>, instance: string) {
  const accumulator = new ResponsesAccumulator();
  for await (const event of events) {
    accumulator.push(responsesEventOf(event, instance));
    if (accumulator.finished || accumulator.error) break;
  }
  return accumulator.completedResponse();
}
