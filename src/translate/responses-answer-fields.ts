// The Responses fields that the non-stream and the streaming translation of a chat answer must
// compute the same way (reference/wire-protocols.md §1.5 ⇐ §4.1): the response and item ids,
// the status a finish_reason means, usage, and the items themselves.
import { randomUUID } from 'node:crypto';
import type { ChatUsage } from '../protocol/openai-chat';
import type { ResponseObject, ResponsesItem, ResponsesUsage } from '../protocol/openai-responses';
import type { ResponsesCall } from './responses-chat-tools';

/**
 * `resp_<chat id>`, the chat id's own `chatcmpl-` prefix dropped. A chat id that already names a
 * response (`chatcmpl-resp_…`, our Responses→chat translation of a Codex answer) gives that
 * response id back rather than a doubly wrapped one.
 */
export function responseIdOf(chatId: unknown): string {
  const base = typeof chatId === 'string' ? chatId.replace(/^chatcmpl-/, '') : '';
  if (base === '') return `resp_${randomUUID().replace(/-/g, '')}`;
  return base.startsWith('resp_') ? base : `resp_${base}`;
}

/** Item ids, unique within one response: derived from the response id and the output index. */
export function itemId(prefix: 'msg' | 'rs' | 'fc' | 'ctc', responseId: string, outputIndex: number): string {
  return `${prefix}_${responseId.replace(/^resp_/, '')}_${outputIndex}`;
}

export type TerminalStatus = Pick<ResponseObject, 'status' | 'incomplete_details'>;

/**
 * A cut answer is `incomplete`, with the reason the Responses API gives: `max_output_tokens` for
 * chat's `length`, `content_filter` for its `content_filter`. Every other finish_reason (stop,
 * tool_calls, vendor ones) is a completed response.
 */
export function terminalStatusOf(finishReason: unknown): TerminalStatus {
  if (finishReason === 'length') return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  if (finishReason === 'content_filter') return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  return { status: 'completed', incomplete_details: null };
}

/**
 * Chat usage in Responses form. Both count cached tokens inside the prompt, so no arithmetic but
 * the total. DeepSeek's top-level `prompt_cache_hit_tokens` is read when `cached_tokens` is absent.
 * No usage at all counts as zero: clients read `usage` unconditionally at the end.
 */
export function responsesUsageOf(usage: ChatUsage | null | undefined): ResponsesUsage {
  const input = count(usage?.prompt_tokens);
  const output = count(usage?.completion_tokens);
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: count(usage?.prompt_tokens_details?.cached_tokens ?? usage?.prompt_cache_hit_tokens) },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: count(usage?.completion_tokens_details?.reasoning_tokens) },
    total_tokens: typeof usage?.total_tokens === 'number' && usage.total_tokens > 0 ? usage.total_tokens : input + output,
  };
}

export function reasoningItem(id: string, summary: string, status: 'in_progress' | 'completed'): ResponsesItem {
  return { id, type: 'reasoning', summary: status === 'in_progress' ? [] : [{ type: 'summary_text', text: summary }], status };
}

export function outputTextPart(text: string): { type: 'output_text'; text: string; annotations: unknown[]; logprobs: unknown[] } {
  return { type: 'output_text', text, annotations: [], logprobs: [] };
}

export function refusalPart(refusal: string): { type: 'refusal'; refusal: string } {
  return { type: 'refusal', refusal };
}

export function callItem(id: string, callId: string, call: ResponsesCall, status: 'in_progress' | 'completed'): ResponsesItem {
  return { id, ...call, call_id: callId, status };
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}
