// Translates Chat Completions chunks (reference/wire-protocols.md §4.1) into a Gemini stream
// (§6.4), for a Gemini client of a model served by another protocol. Text and reasoning go out
// as they come (reasoning as `thought: true` parts); a tool call's arguments stream in fragments
// in chat but Gemini sends a call whole, so calls are held until the finish and then sent as
// functionCall parts, with the finishReason and usageMetadata on the last chunk. An upstream
// error payload throws; an end without a finish_reason throws (the stream was cut short).
import type { GeminiPart, GeminiResponse } from '../protocol/gemini-generate-content';
import type { ChatCompletionChunk, ChatUsage } from '../protocol/openai-chat';
import { isObject } from '../protocol/json-object';
import { chatChunkChoice } from './chat-chunk-choice';
import { chatErrorOf, chatStreamEndedEarly } from './chat-stream-error';
import type { ChatStreamPayload } from './chat-to-messages-stream.translator';
import { argsObject, geminiFinishOfChat, geminiUsageOfChat } from './gemini-answer-fields';

interface PendingCall {
  id?: string;
  name: string;
  arguments: string;
}

export class ChatToGeminiStreamTranslator {
  createStream(options: { model: string }): ChatToGeminiStream {
    return new ChatToGeminiStream(options.model);
  }
}

export class ChatToGeminiStream {
  private responseId?: string;
  private readonly calls = new Map<number, PendingCall>();
  private finishReason?: string | null;
  private usage?: ChatUsage | null;
  private done = false;

  constructor(private readonly model: string) {}

  push(payload: ChatStreamPayload): GeminiResponse[] {
    const error = chatErrorOf(payload);
    if (error) throw error;
    const chunk = payload as ChatCompletionChunk;
    if (this.done) return [];
    if (typeof chunk.id === 'string' && chunk.id !== '') this.responseId ??= chunk.id;
    if (isObject(chunk.usage)) this.usage = chunk.usage;
    const choice = chatChunkChoice(chunk);
    if (!choice) return [];
    const parts: GeminiPart[] = [];
    if (choice.reasoning !== undefined) parts.push({ text: choice.reasoning, thought: true });
    if (choice.content !== undefined) parts.push({ text: choice.content });
    for (const call of choice.toolCalls) {
      const index = typeof call.index === 'number' ? call.index : this.calls.size;
      const pending = this.calls.get(index) ?? { name: '', arguments: '' };
      if (call.id) pending.id = call.id;
      if (call.function?.name) pending.name += call.function.name;
      if (typeof call.function?.arguments === 'string') pending.arguments += call.function.arguments;
      this.calls.set(index, pending);
    }
    if (choice.finishReason !== undefined) this.finishReason = choice.finishReason;
    return parts.length > 0 ? [this.chunk(parts)] : [];
  }

  /** The last chunk: the held calls, the finishReason and the usage. */
  finish(): GeminiResponse[] {
    if (this.done) return [];
    if (this.finishReason === undefined) throw chatStreamEndedEarly();
    this.done = true;
    const parts: GeminiPart[] = [...this.calls.values()].map((call) => ({ functionCall: { id: call.id, name: call.name, args: argsObject(call.arguments) } }));
    const last = this.chunk(parts);
    last.candidates![0].finishReason = geminiFinishOfChat(this.finishReason);
    last.usageMetadata = geminiUsageOfChat(this.usage);
    return [last];
  }

  private chunk(parts: GeminiPart[]): GeminiResponse {
    return { candidates: [{ content: { role: 'model', parts }, index: 0 }], modelVersion: this.model, ...(this.responseId ? { responseId: this.responseId } : {}) };
  }
}
