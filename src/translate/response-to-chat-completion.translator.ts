// Turns a finished Responses API Response into a non-stream Chat Completion (reference/
// wire-protocols.md §4.1): the same content, reasoning, tool calls, finish_reason and usage a
// streaming client would have assembled from ResponsesToChatStream's chunks.
import type { ChatCompletion, ChatToolCall } from '../protocol/openai-chat';
import type { ResponseObject } from '../protocol/openai-responses';
import { REASONING_SEPARATOR, chatCompletionId, chatFinishReason, chatUsage } from './responses-chat-fields';
import { isObject } from '../protocol/json-object';

export interface ChatCompletionOptions {
  /** The model to name when the response does not. */
  model?: string;
}

export class ResponseToChatCompletionTranslator {
  translate(response: ResponseObject, options: ChatCompletionOptions = {}): ChatCompletion {
    const texts: string[] = [];
    const refusals: string[] = [];
    const reasoning: string[] = [];
    const toolCalls: ChatToolCall[] = [];

    for (const item of Array.isArray(response.output) ? response.output : []) {
      if (!isObject(item)) continue;
      if (item.type === 'message') {
        for (const part of Array.isArray(item.content) ? item.content : []) {
          if (!isObject(part)) continue;
          if (part.type === 'output_text' && typeof part.text === 'string') texts.push(part.text);
          else if (part.type === 'refusal' && typeof part.refusal === 'string') refusals.push(part.refusal);
        }
      } else if (item.type === 'reasoning') {
        for (const part of [...asArray(item.summary), ...asArray(item.content)]) {
          if (isObject(part) && typeof part.text === 'string' && part.text !== '') reasoning.push(part.text);
        }
      } else if (item.type === 'function_call' && typeof item.call_id === 'string' && typeof item.name === 'string') {
        const args = typeof item.arguments === 'string' ? item.arguments : '';
        toolCalls.push({ id: item.call_id, type: 'function', function: { name: item.name, arguments: args } });
      }
    }

    const content = texts.join('');
    const message: ChatCompletion['choices'][number]['message'] = {
      role: 'assistant',
      // With tool calls and no text, content is null, as OpenAI answers.
      content: content === '' && toolCalls.length > 0 ? null : content,
      refusal: refusals.length > 0 ? refusals.join('') : null,
    };
    if (reasoning.length > 0) message.reasoning_content = reasoning.join(REASONING_SEPARATOR);
    if (toolCalls.length > 0) message.tool_calls = toolCalls;

    return {
      id: chatCompletionId(response.id),
      object: 'chat.completion',
      created: response.created_at,
      model: response.model || options.model || '',
      choices: [{ index: 0, message, finish_reason: chatFinishReason(response, toolCalls.length > 0), logprobs: null }],
      usage: chatUsage(response.usage),
      system_fingerprint: null,
    };
  }
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

