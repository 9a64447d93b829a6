// The Chat Completions fields that the streaming and the non-stream translation of an Anthropic
// answer must compute the same way (reference/wire-protocols.md §3.4 → §4.1): the completion id,
// finish_reason, usage and the thinking blocks a client keeps to send back.
import type { ChatFinishReason, ChatThinkingBlock, ChatUsage } from '../protocol/openai-chat';
import type { AnthropicStopReason, AnthropicUsage } from '../protocol/anthropic-messages';
import { isObject } from '../protocol/json-object';

/** Between the texts of separate thinking blocks in `reasoning_content`. */
export const THINKING_SEPARATOR = '\n\n';

/** `chatcmpl-<message id>`: the same id for every chunk of a stream and for the non-stream answer. */
export function chatCompletionIdOf(messageId: string): string {
  return `chatcmpl-${messageId}`;
}

/**
 * finish_reason of a stop_reason. `pause_turn` (a server tool paused a long turn) ends the
 * chat turn normally: a chat client has no way to resume it but to ask again. A missing or
 * unknown reason reads as `tool_calls` when the answer called tools, else `stop`.
 */
export function chatFinishReasonOf(stopReason: AnthropicStopReason | string | null | undefined, hasToolCalls: boolean): ChatFinishReason {
  switch (stopReason) {
    case 'end_turn':
    case 'stop_sequence':
    case 'pause_turn':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return hasToolCalls ? 'tool_calls' : 'stop';
  }
}

/**
 * Anthropic usage in Chat form. Anthropic's `input_tokens` counts only the uncached part of the
 * prompt; an OpenAI client expects `prompt_tokens` to be the whole prompt with the cached part
 * in `cached_tokens`, so cache reads and writes are added back in. Cache writes (billed at a
 * premium) get a non-standard `cache_creation_tokens` beside `cached_tokens`. Anthropic does not
 * count thinking tokens apart, so there is no `completion_tokens_details` (a zero would be false).
 */
export function chatUsageOf(usage: Partial<AnthropicUsage> | null | undefined): ChatUsage {
  const input = count(usage?.input_tokens);
  const cacheRead = count(usage?.cache_read_input_tokens);
  const cacheCreation = count(usage?.cache_creation_input_tokens);
  const prompt = input + cacheRead + cacheCreation;
  const completion = count(usage?.output_tokens);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cacheRead, cache_creation_tokens: cacheCreation },
  };
}

/**
 * A content block as a chat thinking block, unchanged (unknown fields kept: the signature covers
 * what Anthropic sent); undefined for any other block or a malformed one.
 */
export function chatThinkingBlockOf(block: unknown): ChatThinkingBlock | undefined {
  if (!isObject(block)) return undefined;
  if (block.type === 'thinking' && typeof block.thinking === 'string' && typeof block.signature === 'string') {
    return { ...block } as ChatThinkingBlock;
  }
  if (block.type === 'redacted_thinking' && typeof block.data === 'string') return { ...block } as ChatThinkingBlock;
  return undefined;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
