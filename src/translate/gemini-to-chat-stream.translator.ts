// Translates a Gemini stream (`streamGenerateContent?alt=sse`, reference/wire-protocols.md §6.4)
// into Chat Completions chunks (§4.1). Each Gemini chunk carries the parts new since the last:
// thought summaries go out as `reasoning_content`, text as `content`, each functionCall as one
// whole tool call (Gemini sends its args whole, as an object). Gemini's stream has no terminator:
// it ends at EOF, after a chunk with a finishReason (usageMetadata usually on that chunk), so the
// finish chunk and the usage chunk go out at the end — and an end without a finishReason is a
// stream cut short, which throws. An `{error}` chunk throws the error it reports.
import type { GeminiResponse, GeminiUsageMetadata } from '../protocol/gemini-generate-content';
import { partSignature } from '../protocol/gemini-generate-content';
import type { ChatCompletionChunk } from '../protocol/openai-chat';
import { isObject } from '../protocol/json-object';
import { ChatChunkBuilder } from './chat-chunk-builder';
import { ChatStreamError } from './chat-stream-error';
import { chatFinishOfGemini, chatUsageOfGemini, geminiCallId } from './gemini-answer-fields';

export const GEMINI_ENDED_EARLY_MESSAGE = 'the upstream Gemini stream ended without a finishReason';

export interface GeminiChatStreamOptions {
  model?: string;
  /** End with a usage chunk (and `usage: null` on the others). */
  includeUsage?: boolean;
}

export class GeminiToChatStreamTranslator {
  createStream(options: GeminiChatStreamOptions = {}): GeminiToChatStream {
    return new GeminiToChatStream(options);
  }
}

export class GeminiToChatStream {
  private readonly chunks: ChatChunkBuilder;
  private finishReason?: string;
  private blocked = false;
  private usage?: GeminiUsageMetadata;
  private calls = 0;

  constructor(options: GeminiChatStreamOptions = {}) {
    this.chunks = new ChatChunkBuilder(options.includeUsage === true, options.model, 'gemini_');
  }

  /** Gemini's stream ends only at EOF: nothing ends it earlier. */
  readonly finished = false;

  push(chunk: GeminiResponse): ChatCompletionChunk[] {
    if (!isObject(chunk)) return [];
    if (isObject(chunk.error)) throw geminiStreamErrorOf(chunk.error);
    if (typeof chunk.responseId === 'string' && chunk.responseId !== '') this.chunks.adopt({ id: `chatcmpl-${chunk.responseId}` });
    if (isObject(chunk.usageMetadata)) this.usage = chunk.usageMetadata;
    const candidate = Array.isArray(chunk.candidates) ? chunk.candidates[0] : undefined;
    if (!candidate && typeof chunk.promptFeedback?.blockReason === 'string') {
      this.blocked = true;
      this.finishReason = chunk.promptFeedback.blockReason;
    }
    const out: ChatCompletionChunk[] = [];
    for (const part of candidate?.content?.parts ?? []) {
      if (!isObject(part)) continue;
      if (typeof part.text === 'string' && part.text !== '') {
        out.push(this.chunks.chunk(part.thought === true ? { reasoning_content: part.text } : { content: part.text }));
      }
      const call = part.functionCall;
      if (isObject(call) && typeof call.name === 'string') {
        const id = geminiCallId(typeof call.id === 'string' ? call.id : undefined, partSignature(part));
        const args = JSON.stringify(isObject(call.args) ? call.args : {});
        out.push(this.chunks.chunk({ tool_calls: [{ index: this.calls++, id, type: 'function', function: { name: call.name, arguments: args } }] }));
      }
    }
    if (typeof candidate?.finishReason === 'string') this.finishReason = candidate.finishReason;
    return out;
  }

  /** The finish chunk and the usage chunk; throws when no chunk said the answer was finished. */
  end(): ChatCompletionChunk[] {
    if (this.finishReason === undefined) throw new ChatStreamError(GEMINI_ENDED_EARLY_MESSAGE, { failure: 'ended_early' });
    const finish = this.blocked ? 'content_filter' : chatFinishOfGemini(this.finishReason, { toolCalls: this.calls > 0 });
    return [this.chunks.chunk({}, finish), ...this.chunks.usageChunks(chatUsageOfGemini(this.usage))];
  }
}

/** An `{error:{code,message,status}}` chunk (google.rpc.Status) as the stream's error. */
export function geminiStreamErrorOf(error: Record<string, unknown>): ChatStreamError {
  const code = typeof error.code === 'number' && error.code >= 100 && error.code <= 599 ? error.code : undefined;
  const message = typeof error.message === 'string' && error.message !== '' ? error.message : 'the upstream reported an error';
  return new ChatStreamError(message, { failure: 'error', status: code ?? 500, code: typeof error.status === 'string' ? error.status : undefined, payload: { error } });
}
