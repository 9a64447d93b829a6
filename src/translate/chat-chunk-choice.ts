// What one Chat Completions chunk (reference/wire-protocols.md §4.1) says about the answer, read
// once the same way for every stream translator that turns chat into another protocol. Upstreams
// are loose about the typed shape: a choice may lack its index, a delta be missing, a tool call
// be null, content and refusal be '' or null, a finish_reason be '' or their own word (`eos`,
// `error`). What is read here is what means something: non-empty text, tool calls that are
// objects, a finish_reason that is a non-empty string.
import { isObject } from '../protocol/json-object';
import type { ChatChunkDelta, ChatCompletionChunk, ChatToolCallDelta } from '../protocol/openai-chat';
import { reasoningText } from './chat-answer-fields';

export interface ChatChunkChoice {
  /** The delta as sent (an empty one when it was missing), for what only one translator reads. */
  delta: ChatChunkDelta;
  /** Reasoning text, under whichever name the upstream uses (see reasoningText). */
  reasoning?: string;
  content?: string;
  refusal?: string;
  toolCalls: readonly ChatToolCallDelta[];
  /** Typed as the five OpenAI reasons, but providers send their own: any non-empty string. */
  finishReason?: string;
}

/** Most chunks carry no call: one shared empty list rather than one per chunk. */
const NO_CALLS: readonly ChatToolCallDelta[] = [];

/** The first choice (index 0, or no index) of a chunk, read; undefined when the chunk has none. */
export function chatChunkChoice(chunk: ChatCompletionChunk): ChatChunkChoice | undefined {
  const choice = Array.isArray(chunk.choices) ? chunk.choices.find((c) => isObject(c) && (c.index ?? 0) === 0) : undefined;
  if (!choice) return undefined;
  const delta: ChatChunkDelta = isObject(choice.delta) ? choice.delta : {};
  const finishReason: unknown = choice.finish_reason;
  return {
    delta,
    reasoning: reasoningText(delta),
    content: nonEmpty(delta.content),
    refusal: nonEmpty(delta.refusal),
    toolCalls: Array.isArray(delta.tool_calls) ? delta.tool_calls.filter((call) => isObject(call)) : NO_CALLS,
    finishReason: nonEmpty(finishReason),
  };
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
