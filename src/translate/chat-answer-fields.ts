// The Anthropic Message fields that the streaming and the non-stream translation of a chat
// answer must compute the same way (reference/wire-protocols.md §3.4 ⇐ §4.1): the message id,
// stop_reason, usage, the reasoning text and a tool call's input.
import type { ChatFinishReason, ChatUsage } from '../protocol/openai-chat';
import type { AnthropicStopReason, AnthropicUsage } from '../protocol/anthropic-messages';
import { randomUUID } from 'node:crypto';
import { isObject } from '../protocol/json-object';

/**
 * A chat provider gives no signature for its reasoning, and we do not invent one: a thinking
 * block we produce always carries `signature: ""` (and no `signature_delta` is streamed). The
 * empty signature is the honest marker of "not signed by Anthropic": such a block only ever
 * comes back to this gateway (MessagesToChatTranslator drops thinking blocks), and whoever
 * forwards a conversation to a Claude model must strip thinking blocks whose signature is empty,
 * which Anthropic would reject.
 */
export const UNSIGNED_THINKING_SIGNATURE = '';

export function messageId(chatId: unknown): string {
  return typeof chatId === 'string' && chatId !== '' ? `msg_${chatId}` : `msg_${randomUUID().replace(/-/g, '')}`;
}

/**
 * The Anthropic stop_reason of a chat finish_reason. A provider that answers `stop` after tool
 * calls (some OpenAI-compatible servers do) still ends a tool-use turn: clients run tools only on
 * `tool_use`. A refusal (`delta.refusal` / `message.refusal`) is a `refusal` however it ended.
 * Unknown reasons (`eos`, `error`, vendor ones) read as a normal end.
 */
export function stopReason(finishReason: ChatFinishReason | string | null | undefined, facts: { toolUse: boolean; refusal: boolean }): AnthropicStopReason {
  switch (finishReason) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      if (facts.refusal) return 'refusal';
      return facts.toolUse ? 'tool_use' : 'end_turn';
  }
}

/**
 * Chat usage as Anthropic usage. OpenAI's `prompt_tokens` includes the cached ones, Anthropic's
 * `input_tokens` does not (input + cache_read + cache_creation is the whole prompt, and Claude
 * Code adds them up for its context meter), so the cached tokens are taken out of input_tokens.
 * Chat providers do not report cache writes, so `cache_creation_input_tokens` is 0 — unless the
 * upstream is a gateway that fronts Claude and reports them as the non-standard
 * `prompt_tokens_details.cache_creation_tokens` (LiteLLM's convention, and ours in the other
 * direction), also included in its prompt_tokens. DeepSeek's top-level
 * `prompt_cache_hit_tokens` is read when `cached_tokens` is absent.
 */
export function anthropicUsage(usage: ChatUsage | null | undefined): Required<Pick<AnthropicUsage, 'input_tokens' | 'output_tokens'>> & {
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
} {
  const prompt = count(usage?.prompt_tokens);
  const cached = Math.min(prompt, count(usage?.prompt_tokens_details?.cached_tokens ?? usage?.prompt_cache_hit_tokens));
  const written = Math.min(prompt - cached, count(usage?.prompt_tokens_details?.cache_creation_tokens));
  return {
    input_tokens: prompt - cached - written,
    output_tokens: count(usage?.completion_tokens),
    cache_creation_input_tokens: written,
    cache_read_input_tokens: cached,
  };
}

/**
 * The reasoning text of a chat delta or message. `reasoning_content` is the common extension
 * (DeepSeek, Qwen, CPA); vLLM and OpenRouter send `reasoning`, Copilot `reasoning_text`.
 */
export function reasoningText(source: Record<string, unknown>): string | undefined {
  for (const key of ['reasoning_content', 'reasoning', 'reasoning_text']) {
    const value = source[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

/**
 * A tool call's `input` from its arguments text. Anthropic requires an object: empty arguments
 * are `{}`, and so are arguments that are not a JSON object (cut off by max_tokens, or garbled).
 * The client then runs the tool with no arguments and its validation error tells the model what
 * was missing, which it can act on; failing the whole answer would lose the rest of it. Some
 * providers send the arguments as an object already: taken as is.
 */
export function toolInput(args: unknown): Record<string, unknown> {
  if (isObject(args)) return args;
  if (typeof args !== 'string' || args.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(args);
    return isObject(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}
