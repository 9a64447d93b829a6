// Turns a non-stream Chat Completion (reference/wire-protocols.md §4.1) into an Anthropic
// Message (§3.4's `message` object): the same thinking, text, tool_use blocks, stop_reason and
// usage an Anthropic client would have assembled from ChatToMessagesStream's events.
import type { AnthropicContentBlock, AnthropicMessage } from '../protocol/anthropic-messages';
import type { ChatCompletion } from '../protocol/openai-chat';
import { randomUUID } from 'node:crypto';
import { UNSIGNED_THINKING_SIGNATURE, anthropicUsage, messageId, reasoningText, stopReason, toolInput } from './chat-answer-fields';
import { isObject } from '../protocol/json-object';
import { ChatStreamError, chatErrorOf } from './chat-stream-error';

export interface MessageOptions {
  /** The model to name when the completion does not. */
  model?: string;
}

export class ChatCompletionToMessageTranslator {
  /**
   * Throws ChatStreamError for an error the upstream put in a 200 body (`{error:{…}}`) and for a
   * completion without choices, which has no answer to give.
   */
  translate(completion: ChatCompletion, options: MessageOptions = {}): AnthropicMessage {
    const error = chatErrorOf(completion);
    if (error) throw error;
    const choice = Array.isArray(completion.choices) ? completion.choices.find((c) => isObject(c) && (c.index ?? 0) === 0) : undefined;
    if (!choice || !isObject(choice.message)) {
      throw new ChatStreamError('the upstream answered without a choice', { failure: 'malformed', payload: completion });
    }
    const message = choice.message;
    const content: AnthropicContentBlock[] = [];

    const reasoning = reasoningText(message);
    if (reasoning !== undefined) content.push({ type: 'thinking', thinking: reasoning, signature: UNSIGNED_THINKING_SIGNATURE });
    const text = textOf(message.content);
    const refusal = typeof message.refusal === 'string' && message.refusal !== '' ? message.refusal : undefined;
    if (text !== '' || refusal !== undefined) content.push({ type: 'text', text: refusal === undefined ? text : text + refusal });

    let toolUse = false;
    for (const call of Array.isArray(message.tool_calls) ? message.tool_calls : []) {
      if (!isObject(call) || !isObject(call.function) || typeof call.function.name !== 'string') continue;
      toolUse = true;
      content.push({
        type: 'tool_use',
        id: typeof call.id === 'string' && call.id !== '' ? call.id : `toolu_${randomUUID().replace(/-/g, '')}`,
        name: call.function.name,
        input: toolInput(call.function.arguments),
      });
    }

    return {
      id: messageId(completion.id),
      type: 'message',
      role: 'assistant',
      model: typeof completion.model === 'string' && completion.model !== '' ? completion.model : (options.model ?? ''),
      content,
      stop_reason: stopReason(choice.finish_reason, { toolUse, refusal: refusal !== undefined }),
      stop_sequence: null,
      usage: anthropicUsage(completion.usage),
    };
  }
}

/** A message's text: the string, or its text parts joined (some providers answer with parts). */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter((part): part is { type: 'text'; text: string } => isObject(part) && part.type === 'text' && typeof part.text === 'string')
    .map((part) => part.text)
    .join('');
}
