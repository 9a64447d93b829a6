// Turns a finished Anthropic Message into a non-stream Chat Completion (reference/
// wire-protocols.md §3.2 → §4.1): the same content, reasoning, thinking blocks, tool calls,
// finish_reason and usage a streaming client would have assembled from MessagesToChatStream.
import type { ChatCompletion, ChatThinkingBlock, ChatToolCall } from '../protocol/openai-chat';
import type { AnthropicMessage } from '../protocol/anthropic-messages';
import { THINKING_SEPARATOR, chatCompletionIdOf, chatFinishReasonOf, chatThinkingBlockOf, chatUsageOf } from './messages-answer-fields';
import { isObject } from '../protocol/json-object';

export interface MessageChatCompletionOptions {
  /** The model to name when the message does not. */
  model?: string;
  /** `created` in seconds; Anthropic gives no creation time, so it defaults to now. */
  created?: number;
}

export class MessageToChatCompletionTranslator {
  translate(message: AnthropicMessage, options: MessageChatCompletionOptions = {}): ChatCompletion {
    const texts: string[] = [];
    const reasoning: string[] = [];
    const thinkingBlocks: ChatThinkingBlock[] = [];
    const toolCalls: ChatToolCall[] = [];

    for (const block of Array.isArray(message.content) ? message.content : []) {
      if (!isObject(block)) continue;
      switch (block.type) {
        case 'text':
          if (typeof block.text === 'string') texts.push(block.text);
          break;
        case 'thinking':
        case 'redacted_thinking': {
          if (block.type === 'thinking' && typeof block.thinking === 'string' && block.thinking !== '') reasoning.push(block.thinking);
          // Kept only when it can be sent back: signed thinking, or redacted.
          const kept = chatThinkingBlockOf(block);
          if (kept && (kept.type === 'redacted_thinking' || kept.signature !== '')) thinkingBlocks.push(kept);
          break;
        }
        case 'tool_use':
          if (typeof block.id === 'string' && typeof block.name === 'string') {
            toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } });
          }
          break;
        // Server tool calls and results ran at Anthropic: nothing for a chat client to do.
        default:
          break;
      }
    }

    const content = texts.join('');
    const chatMessage: ChatCompletion['choices'][number]['message'] = {
      role: 'assistant',
      // With tool calls and no text, content is null, as OpenAI answers.
      content: content === '' && toolCalls.length > 0 ? null : content,
      refusal: null,
    };
    if (reasoning.length > 0) chatMessage.reasoning_content = reasoning.join(THINKING_SEPARATOR);
    if (thinkingBlocks.length > 0) chatMessage.thinking_blocks = thinkingBlocks;
    if (toolCalls.length > 0) chatMessage.tool_calls = toolCalls;

    return {
      id: chatCompletionIdOf(message.id),
      object: 'chat.completion',
      created: options.created ?? Math.floor(Date.now() / 1000),
      model: message.model || options.model || '',
      choices: [{ index: 0, message: chatMessage, finish_reason: chatFinishReasonOf(message.stop_reason, toolCalls.length > 0), logprobs: null }],
      usage: chatUsageOf(message.usage),
      system_fingerprint: null,
    };
  }
}
