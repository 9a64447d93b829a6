// The Chat Completions fields that the streaming and the non-stream translation from Responses
// must compute the same way: the completion id, finish_reason and usage
// (reference/wire-protocols.md §4.1).
import type { ChatFinishReason, ChatUsage } from '../protocol/openai-chat';
import type { ResponseObject, ResponsesUsage } from '../protocol/openai-responses';

/** Between reasoning from different summary parts (or reasoning items) in `reasoning_content`. */
export const REASONING_SEPARATOR = '\n\n';

/** `chatcmpl-<response id>`: the same id for every chunk of a stream and for the non-stream answer. */
export function chatCompletionId(responseId: string): string {
  return `chatcmpl-${responseId}`;
}

/**
 * An incomplete response ends normally for chat clients: `length` when the token limit cut it
 * (and for reasons we do not know — the answer was cut short either way), `content_filter`
 * when a filter did. Otherwise `tool_calls` when the answer called tools, else `stop`.
 */
export function chatFinishReason(
  response: Pick<ResponseObject, 'status' | 'incomplete_details'>,
  hasToolCalls: boolean,
): ChatFinishReason {
  if (response.status === 'incomplete') {
    return response.incomplete_details?.reason === 'content_filter' ? 'content_filter' : 'length';
  }
  return hasToolCalls ? 'tool_calls' : 'stop';
}

/**
 * Responses usage in Chat form. A response without usage counts as zero rather than leaving the
 * field out: clients that asked for usage read it unconditionally.
 */
export function chatUsage(usage: ResponsesUsage | null | undefined): ChatUsage {
  const prompt = count(usage?.input_tokens);
  const completion = count(usage?.output_tokens);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: typeof usage?.total_tokens === 'number' ? usage.total_tokens : prompt + completion,
    prompt_tokens_details: { cached_tokens: count(usage?.input_tokens_details?.cached_tokens) },
    completion_tokens_details: { reasoning_tokens: count(usage?.output_tokens_details?.reasoning_tokens) },
  };
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
