// Turns a finished Chat Completion (reference/wire-protocols.md §4.1) into a finished Responses
// API Response (§4.2), for a Responses client of a model served by a chat provider: the same
// items, ids, status and usage a streaming client assembles from ChatToResponsesStream's events.
// `output_text` is left out: the openai SDK computes it from `output`.
import { randomUUID } from 'node:crypto';
import type { ChatCompletion } from '../protocol/openai-chat';
import type { ResponseObject, ResponsesContentPart, ResponsesItem } from '../protocol/openai-responses';
import { isObject } from '../protocol/json-object';
import { reasoningText } from './chat-answer-fields';
import { ChatStreamError } from './chat-stream-error';
import {
  callItem,
  itemId,
  outputTextPart,
  reasoningItem,
  refusalPart,
  responseIdOf,
  responsesUsageOf,
  terminalStatusOf,
} from './responses-answer-fields';
import { responsesCallOf, type ResponsesToolNames } from './responses-chat-tools';
import { chatThinkingBlocks, encryptedContentOf } from './thinking-carrier';

export interface ResponseAnswerOptions {
  /** The model the client asked for: what the response names. */
  model: string;
  /** `responsesToolNames(request)`: turns flattened namespace and custom tools back into their calls. */
  tools?: ResponsesToolNames;
}

export class ChatCompletionToResponseTranslator {
  /** Throws ChatStreamError (`malformed`) for a completion without a choice. */
  translate(completion: ChatCompletion, options: ResponseAnswerOptions): ResponseObject {
    const choice = Array.isArray(completion.choices) ? completion.choices.find((c) => isObject(c) && (c.index ?? 0) === 0) : undefined;
    if (!choice || !isObject(choice.message)) {
      throw new ChatStreamError('the upstream answered without a choice', { failure: 'malformed', payload: completion });
    }
    const message = choice.message;
    const id = responseIdOf(completion.id);
    const output: ResponsesItem[] = [];

    const reasoning = reasoningText(message);
    const thinking = chatThinkingBlocks(message.thinking_blocks);
    if (reasoning !== undefined || thinking.length > 0) {
      const item = reasoningItem(itemId('rs', id, output.length), reasoning ?? '', 'completed');
      // Claude's signed thinking, for the client to send back (thinking-carrier.ts).
      if (thinking.length > 0) item.encrypted_content = encryptedContentOf(thinking);
      output.push(item);
    }

    const content: ResponsesContentPart[] = [];
    const text = typeof message.content === 'string' ? message.content : textOfParts(message.content);
    if (text !== '') content.push(outputTextPart(text));
    if (typeof message.refusal === 'string' && message.refusal !== '') content.push(refusalPart(message.refusal));

    const calls = Array.isArray(message.tool_calls) ? message.tool_calls.filter((call) => isObject(call) && isObject(call.function)) : [];
    // An answer of nothing at all is still a message (with empty text), as OpenAI answers it.
    if (content.length > 0 || calls.length === 0) {
      output.push({
        id: itemId('msg', id, output.length),
        type: 'message',
        role: 'assistant',
        status: 'completed',
        content: content.length > 0 ? content : [outputTextPart('')],
      });
    }
    for (const call of calls) {
      const fn = call.function;
      const args = typeof fn.arguments === 'string' ? fn.arguments : fn.arguments === undefined ? '' : JSON.stringify(fn.arguments);
      const responsesCall = responsesCallOf(typeof fn.name === 'string' ? fn.name : '', args, options.tools);
      const callId = typeof call.id === 'string' && call.id !== '' ? call.id : `call_${randomUUID().replace(/-/g, '')}`;
      output.push(callItem(itemId(responsesCall.type === 'custom_tool_call' ? 'ctc' : 'fc', id, output.length), callId, responsesCall, 'completed'));
    }

    return {
      id,
      object: 'response',
      created_at: typeof completion.created === 'number' ? completion.created : Math.floor(Date.now() / 1000),
      model: options.model,
      ...terminalStatusOf(choice.finish_reason),
      error: null,
      output,
      usage: responsesUsageOf(completion.usage),
    };
  }
}

function textOfParts(content: unknown): string {
  if (!Array.isArray(content)) return '';
  return content.map((part) => (isObject(part) && part.type === 'text' && typeof part.text === 'string' ? part.text : '')).join('');
}
