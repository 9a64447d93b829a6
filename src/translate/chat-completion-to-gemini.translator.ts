// Turns a Chat Completion (reference/wire-protocols.md §4.1) into a whole Gemini answer (§6.4),
// for a Gemini client of a model served by another protocol: reasoning as a thought part, the
// text, then each tool call as a functionCall (args an object, the call's id kept so a client
// that echoes it in its functionResponse is matched exactly), usage as usageMetadata.
import type { GeminiPart, GeminiResponse } from '../protocol/gemini-generate-content';
import type { ChatCompletion } from '../protocol/openai-chat';
import { isObject } from '../protocol/json-object';
import { reasoningText } from './chat-answer-fields';
import { argsObject, geminiFinishOfChat, geminiUsageOfChat } from './gemini-answer-fields';

export class ChatCompletionToGeminiTranslator {
  translate(completion: ChatCompletion, options: { model: string }): GeminiResponse {
    const choice = Array.isArray(completion.choices) ? completion.choices[0] : undefined;
    const message = isObject(choice?.message) ? choice.message : undefined;
    const parts: GeminiPart[] = [];
    const reasoning = message ? reasoningText(message) : undefined;
    if (reasoning) parts.push({ text: reasoning, thought: true });
    const content = message?.content;
    const text = typeof content === 'string' ? content : Array.isArray(content) ? content.map((p) => (isObject(p) && typeof p.text === 'string' ? p.text : '')).join('') : '';
    if (text !== '') parts.push({ text });
    for (const call of message?.tool_calls ?? []) {
      if (!isObject(call) || !isObject(call.function)) continue;
      parts.push({ functionCall: { id: call.id, name: call.function.name, args: argsObject(call.function.arguments) } });
    }
    return {
      candidates: [{ content: { role: 'model', parts }, finishReason: geminiFinishOfChat(choice?.finish_reason), index: 0 }],
      usageMetadata: geminiUsageOfChat(completion.usage),
      modelVersion: options.model,
      responseId: typeof completion.id === 'string' ? completion.id : undefined,
    };
  }
}
