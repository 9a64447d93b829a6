// Turns a whole Gemini answer (reference/wire-protocols.md §6.4) into a Chat Completion (§4.1):
// the first candidate's answer text as content, its thought summaries as reasoning_content, its
// functionCalls as tool calls (ids made up, carrying their thought signatures), a prompt blocked
// before any candidate as an empty content_filter answer.
import { randomUUID } from 'node:crypto';
import type { GeminiResponse } from '../protocol/gemini-generate-content';
import { partSignature } from '../protocol/gemini-generate-content';
import type { ChatCompletion, ChatMessage, ChatToolCall } from '../protocol/openai-chat';
import { isObject } from '../protocol/json-object';
import { chatFinishOfGemini, chatUsageOfGemini, geminiCallId } from './gemini-answer-fields';

export class GeminiResponseToChatCompletionTranslator {
  translate(response: GeminiResponse, options: { model: string }): ChatCompletion {
    const candidate = Array.isArray(response.candidates) ? response.candidates[0] : undefined;
    let content = '';
    let reasoning = '';
    const toolCalls: ChatToolCall[] = [];
    for (const part of candidate?.content?.parts ?? []) {
      if (!isObject(part)) continue;
      if (typeof part.text === 'string') {
        if (part.thought === true) reasoning += part.text;
        else content += part.text;
      }
      const call = part.functionCall;
      if (isObject(call) && typeof call.name === 'string') {
        toolCalls.push({
          id: geminiCallId(typeof call.id === 'string' ? call.id : undefined, partSignature(part)),
          type: 'function',
          function: { name: call.name, arguments: JSON.stringify(isObject(call.args) ? call.args : {}) },
        });
      }
    }
    const blocked = candidate === undefined && typeof response.promptFeedback?.blockReason === 'string';
    const message: ChatMessage & { role: 'assistant' } = { role: 'assistant', content: content === '' && toolCalls.length > 0 ? null : content };
    if (reasoning !== '') message.reasoning_content = reasoning;
    if (toolCalls.length > 0) message.tool_calls = toolCalls;
    return {
      id: `chatcmpl-${typeof response.responseId === 'string' && response.responseId !== '' ? response.responseId : randomUUID().replace(/-/g, '')}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: options.model,
      choices: [
        {
          index: 0,
          message,
          finish_reason: blocked ? 'content_filter' : chatFinishOfGemini(candidate?.finishReason, { toolCalls: toolCalls.length > 0 }),
          logprobs: null,
        },
      ],
      usage: chatUsageOfGemini(response.usageMetadata),
    };
  }
}
