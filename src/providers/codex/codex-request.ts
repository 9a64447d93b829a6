// What the Codex backend accepts (reference/wire-protocols.md §1.3): a Responses request with
// store false, stream true, instructions present, system items turned developer, item ids
// removed, and the fields it rejects taken out. Everything else passes as the client sent it.
import { createHash } from 'node:crypto';
import type { ResponsesItem, ResponsesRequest } from '../../protocol/openai-responses';

/** Fields the ChatGPT backend answers 400 "Unsupported parameter" to. */
const REJECTED_FIELDS = [
  'max_output_tokens',
  'max_completion_tokens',
  'max_tokens',
  'temperature',
  'top_p',
  'user',
  'truncation',
  'prompt_cache_retention',
  'safety_identifier',
  'stream_options',
  'previous_response_id',
  'generate',
  'type',
] as const;

const ENCRYPTED_REASONING = 'reasoning.encrypted_content';

export function toCodexRequest(request: ResponsesRequest): ResponsesRequest {
  const body: ResponsesRequest = { ...request, instructions: request.instructions ?? '', store: false, stream: true };
  for (const field of REJECTED_FIELDS) delete body[field];
  body.input = typeof request.input === 'string' ? [userMessage(request.input)] : request.input.map(normalizeItem);
  // Reasoning can only continue across turns if its encrypted content comes back (store is false).
  body.include = [...new Set([...(request.include ?? []), ENCRYPTED_REASONING])];
  if (!hasTools(request)) delete body.parallel_tool_calls;
  if (body.service_tier !== undefined && body.service_tier !== 'priority') delete body.service_tier;
  return body;
}

/**
 * Tools given at the top level, or — as the Codex CLI sends them for newer models — in an
 * `additional_tools` input item (with `tools: []` at the top).
 */
function hasTools(request: ResponsesRequest): boolean {
  if (Array.isArray(request.tools) && request.tools.length > 0) return true;
  return Array.isArray(request.input) && request.input.some((item) => (item as { type?: unknown }).type === 'additional_tools');
}

function userMessage(text: string): ResponsesItem {
  return { type: 'message', role: 'user', content: [{ type: 'input_text', text }] };
}

function normalizeItem(item: ResponsesItem): ResponsesItem {
  // With store false the backend knows no item ids; sent back, they are rejected.
  const { id: _id, ...rest } = item as Record<string, unknown>;
  // The API lets clients write a message as just {role, content}.
  const typed = rest.type === undefined && typeof rest.role === 'string' ? { ...rest, type: 'message' } : rest;
  if (typed.type === 'message' && typed.role === 'system') return { ...typed, role: 'developer' } as ResponsesItem;
  return typed as ResponsesItem;
}

/**
 * The conversation's cache key (sent as `prompt_cache_key` and `session_id`): the client's own
 * when it gave one, else one derived from what stays the same across a conversation's turns —
 * the account, the instructions and the first input item — so the backend can reuse its cache.
 */
export function conversationKey(request: ResponsesRequest, accountId: string): string {
  if (typeof request.prompt_cache_key === 'string' && request.prompt_cache_key) return request.prompt_cache_key;
  const first = Array.isArray(request.input) ? request.input[0] : request.input;
  const hash = createHash('sha256')
    .update(JSON.stringify([accountId, request.instructions ?? '', first ?? null]))
    .digest('hex');
  // Formatted like the UUID the Codex CLI sends.
  return `${hash.slice(0, 8)}-${hash.slice(8, 12)}-${hash.slice(12, 16)}-${hash.slice(16, 20)}-${hash.slice(20, 32)}`;
}
