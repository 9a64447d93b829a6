// Reads the tokens an upstream counted out of its own answer, in its own protocol: a whole JSON
// answer, or the stream events that carry usage. Works on the objects the upstream readers have
// already parsed (SseEvent.json, JsonAnswer.parsed()) — never parses anything itself — and only
// looks at an event's `type` or `usage` field, so a stream pays next to nothing per event.
// Every protocol is counted into the one shape of TokenCounts (input includes cached tokens).
import type { AnthropicUsage } from '../protocol/anthropic-messages';
import type { GeminiUsageMetadata } from '../protocol/gemini-generate-content';
import type { ChatUsage } from '../protocol/openai-chat';
import { kiroInputTokensOf, type KiroStreamEvent } from '../protocol/kiro-assistant-response';
import type { ResponsesUsage } from '../protocol/openai-responses';
import type { WireProtocol } from '../contract/provider-executor';
import type { TokenCounts } from '../store/usage-record';

/** Updates `tokens` from one parsed answer or event (ignores what carries no usage). */
export type TokenCounter = (tokens: TokenCounts, json: unknown) => void;

export function noTokens(): TokenCounts {
  return { input: 0, output: 0, cached: 0, reasoning: 0 };
}

/** Counters for a whole (non-stream) answer, one per protocol: a new protocol must add its own. */
export const ANSWER_COUNTERS: Record<WireProtocol, TokenCounter> = {
  'openai-chat': (tokens, json) => countChatUsage(tokens, field(json, 'usage')),
  'anthropic-messages': (tokens, json) => countMessagesUsage(tokens, field(json, 'usage')),
  'openai-responses': (tokens, json) => countResponsesUsage(tokens, field(json, 'usage')),
  gemini: (tokens, json) => countGeminiUsage(tokens, field(json, 'usageMetadata')),
  // Kiro always streams: a whole answer never comes from it.
  kiro: () => undefined,
};

/** Counters for the events of a stream, one per protocol. */
export const STREAM_COUNTERS: Record<WireProtocol, TokenCounter> = {
  // The usage chunk (`choices: []`, asked for with stream_options.include_usage) is the last;
  // some servers put the usage on the finish chunk instead. Either way it is cumulative.
  'openai-chat': (tokens, json) => {
    const usage = field(json, 'usage');
    if (usage !== undefined && usage !== null) countChatUsage(tokens, usage);
  },
  // message_start has the input side (and a first output count); message_delta the final
  // output count, and on newer API versions the input side again.
  'anthropic-messages': (tokens, json) => {
    const type = field(json, 'type');
    if (type === 'message_start') countMessagesUsage(tokens, field(field(json, 'message'), 'usage'));
    else if (type === 'message_delta') countMessagesUsage(tokens, field(json, 'usage'), true);
  },
  // The finished response carries the usage; an incomplete one (max_output_tokens) does too.
  'openai-responses': (tokens, json) => {
    const type = field(json, 'type');
    if (type === 'response.completed' || type === 'response.incomplete') countResponsesUsage(tokens, field(field(json, 'response'), 'usage'));
  },
  // Chunks may each carry usageMetadata, cumulative; the last chunk's is the whole answer's.
  gemini: (tokens, json) => countGeminiUsage(tokens, field(json, 'usageMetadata')),
  kiro: (tokens, json) => countKiroEvent(tokens, json as KiroStreamEvent),
};

/** Characters of output seen per Kiro answer (keyed by its counts), for the output estimate. */
const kiroOutputChars = new WeakMap<TokenCounts, number>();

/**
 * Kiro counts no tokens (the chat translator reads them the same way): input from its context
 * usage percentage, output estimated at four characters a token of the text and tool input
 * streamed; a metadata event's real counts win where Kiro sends them.
 */
function countKiroEvent(tokens: TokenCounts, event: KiroStreamEvent): void {
  if (!isObject(event)) return;
  const text = field(event.assistantResponseEvent, 'content') ?? field(event.toolUseEvent, 'input');
  if (typeof text === 'string' && text !== '') {
    const chars = (kiroOutputChars.get(tokens) ?? 0) + text.length;
    kiroOutputChars.set(tokens, chars);
    tokens.output = Math.ceil(chars / 4);
    return;
  }
  const percentage = field(event.contextUsageEvent, 'contextUsagePercentage');
  if (typeof percentage === 'number' && Number.isFinite(percentage) && percentage > 0) tokens.input = kiroInputTokensOf(percentage);
  const usage = field(event.messageMetadataEvent ?? event.metadataEvent, 'tokenUsage');
  if (isObject(usage)) {
    const read = count(field(usage, 'cacheReadInputTokens'));
    tokens.input = count(field(usage, 'uncachedInputTokens')) + read + count(field(usage, 'cacheWriteInputTokens'));
    tokens.cached = read;
    if (field(usage, 'outputTokens') !== undefined) tokens.output = count(field(usage, 'outputTokens'));
  }
}

function countChatUsage(tokens: TokenCounts, value: unknown): void {
  if (!isObject(value)) return;
  const usage = value as Partial<ChatUsage>;
  tokens.input = count(usage.prompt_tokens);
  tokens.output = count(usage.completion_tokens);
  tokens.cached = count(field(usage.prompt_tokens_details, 'cached_tokens'));
  tokens.reasoning = count(field(usage.completion_tokens_details, 'reasoning_tokens'));
}

/**
 * Anthropic counts cache reads and writes beside `input_tokens`; they are input all the same.
 * A message_delta's usage (`delta`) may carry only output_tokens: the input side is then kept.
 */
function countMessagesUsage(tokens: TokenCounts, value: unknown, delta = false): void {
  if (!isObject(value)) return;
  const usage = value as Partial<AnthropicUsage>;
  if (usage.output_tokens !== undefined) tokens.output = count(usage.output_tokens);
  if (delta && usage.input_tokens === undefined && usage.cache_read_input_tokens === undefined) return;
  const read = count(usage.cache_read_input_tokens);
  tokens.input = count(usage.input_tokens) + read + count(usage.cache_creation_input_tokens);
  tokens.cached = read;
}

function countResponsesUsage(tokens: TokenCounts, value: unknown): void {
  if (!isObject(value)) return;
  const usage = value as Partial<ResponsesUsage>;
  tokens.input = count(usage.input_tokens);
  tokens.output = count(usage.output_tokens);
  tokens.cached = count(field(usage.input_tokens_details, 'cached_tokens'));
  tokens.reasoning = count(field(usage.output_tokens_details, 'reasoning_tokens'));
}

/** Gemini counts thoughts apart from the candidates' tokens; both are output here, as in chat. */
function countGeminiUsage(tokens: TokenCounts, value: unknown): void {
  if (!isObject(value)) return;
  const usage = value as GeminiUsageMetadata;
  tokens.input = count(usage.promptTokenCount) + count(usage.toolUsePromptTokenCount);
  tokens.reasoning = count(usage.thoughtsTokenCount);
  tokens.output = count(usage.candidatesTokenCount) + tokens.reasoning;
  tokens.cached = count(usage.cachedContentTokenCount);
}

/** A token count as the wire gave it; anything that is not a count is none. */
function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
}

function field(value: unknown, name: string): unknown {
  return isObject(value) ? (value as Record<string, unknown>)[name] : undefined;
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}
