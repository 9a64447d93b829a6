// Thinking asked for through a model name (`claude-sonnet-5-5(high)`, `gpt-5(8192)`, `o3(none)`;
// routing parses it, reference/seed-spec.md §2.9), projected onto a request body in the protocol
// it goes upstream in. The protocol table runs it after a bridge's request translation.
import type { AnthropicMessageParam, AnthropicToolChoice, MessagesRequest } from '../protocol/anthropic-messages';
import type { KiroRequest } from '../protocol/kiro-assistant-response';
import type { ChatCompletionRequest } from '../protocol/openai-chat';
import type { ResponsesReasoningConfig, ResponsesRequest } from '../protocol/openai-responses';
import {
  AUTO_THINKING_BUDGET,
  MAX_THINKING_BUDGET,
  MIN_THINKING_BUDGET,
  REASONING_EFFORT_BY_LEVEL,
  THINKING_BUDGETS,
  type ThinkingLevel,
  type ThinkingRequest,
} from '../protocol/reasoning-levels';
import { isObject } from '../protocol/json-object';
import type { WireProtocol } from '../protocol/wire-protocol';
import { kiroThinkingLengthFor, withKiroRequestThinking } from './kiro-thinking';

/** Thinking budget per level (seed §2.9): the chat → Messages translator's table, typed by level. */
export const THINKING_LEVEL_BUDGETS = THINKING_BUDGETS as Readonly<Record<ThinkingLevel, number>>;

/**
 * Level → OpenAI `reasoning_effort` / Responses `reasoning.effort` (seed §2.9, Codex mapping):
 * only low/medium/high, the values every OpenAI-compatible upstream takes. The same table
 * translates an Anthropic client's `output_config.effort`.
 */
export const THINKING_LEVEL_EFFORTS: Readonly<Record<ThinkingLevel, 'low' | 'medium' | 'high'>> = REASONING_EFFORT_BY_LEVEL;

export { AUTO_THINKING_BUDGET, MAX_THINKING_BUDGET, MIN_THINKING_BUDGET };

/**
 * The reasoning effort OpenAI upstreams get for a thinking request; `undefined` for auto
 * (the upstream's own default) and none. A budget maps by the seed's thresholds.
 */
export function effortForThinking(thinking: ThinkingRequest): 'low' | 'medium' | 'high' | undefined {
  switch (thinking.kind) {
    case 'level':
      return THINKING_LEVEL_EFFORTS[thinking.level];
    case 'budget':
      return thinking.tokens <= 1024 ? 'low' : thinking.tokens <= 8192 ? 'medium' : 'high';
    default:
      return undefined;
  }
}

/**
 * Anthropic's `budget_tokens` for a thinking request: the level table's or the asked budget, kept
 * within Anthropic's bounds (it rejects fewer than 1024; 128000 is the seed's cap). Undefined for none.
 */
export function anthropicBudgetFor(thinking: ThinkingRequest): number | undefined {
  const asked =
    thinking.kind === 'budget'
      ? thinking.tokens
      : thinking.kind === 'level'
        ? THINKING_LEVEL_BUDGETS[thinking.level]
        : thinking.kind === 'auto'
          ? AUTO_THINKING_BUDGET
          : undefined;
  return asked === undefined ? undefined : Math.min(Math.max(asked, MIN_THINKING_BUDGET), MAX_THINKING_BUDGET);
}

/**
 * `body` with `thinking` projected onto it for an upstream speaking `protocol` (seed §2.9).
 * Never mutates `body`; returns it unchanged when there is nothing to do.
 *
 * A budget of 0 is read as "no thinking", like `none`: no upstream has a zero budget (Anthropic
 * rejects anything under 1024), and raising 0 to 1024 would turn thinking on when the user
 * asked for none of it.
 */
export function applyThinking(protocol: 'openai-chat', body: ChatCompletionRequest, thinking: ThinkingRequest): ChatCompletionRequest;
export function applyThinking(protocol: 'openai-responses', body: ResponsesRequest, thinking: ThinkingRequest): ResponsesRequest;
export function applyThinking(protocol: 'anthropic-messages', body: MessagesRequest, thinking: ThinkingRequest): MessagesRequest;
export function applyThinking(protocol: WireProtocol, body: Record<string, unknown>, thinking: ThinkingRequest): Record<string, unknown>;
export function applyThinking(protocol: WireProtocol, body: Record<string, unknown>, thinking: ThinkingRequest): Record<string, unknown> {
  const effective: ThinkingRequest = thinking.kind === 'budget' && thinking.tokens === 0 ? { kind: 'none' } : thinking;
  switch (protocol) {
    case 'openai-chat':
      return chatThinking(body, effective);
    case 'openai-responses':
      return responsesThinking(body, effective);
    case 'anthropic-messages':
      return messagesThinking(body, effective);
    case 'gemini':
      return geminiThinking(body, effective);
    case 'kiro':
      // No thinking field: the tags at the head of the current message's system block say it.
      // Auto leaves the client's choice, as on the OpenAI protocols.
      return effective.kind === 'auto' ? body : withKiroRequestThinking(body as unknown as KiroRequest, kiroThinkingLengthFor(effective));
  }
}

function chatThinking(body: Record<string, unknown>, thinking: ThinkingRequest): Record<string, unknown> {
  if (thinking.kind === 'auto') return body;
  if (thinking.kind === 'none') return without(body, ['reasoning_effort']);
  return { ...body, reasoning_effort: effortForThinking(thinking) };
}

function responsesThinking(body: Record<string, unknown>, thinking: ThinkingRequest): Record<string, unknown> {
  if (thinking.kind === 'auto') return body;
  if (thinking.kind === 'none') return without(body, ['reasoning']);
  const existing = isObject(body.reasoning) ? (body.reasoning as ResponsesReasoningConfig) : {};
  // A summary is what lets a client show the reasoning at all; keep the client's choice if it made one.
  const reasoning: ResponsesReasoningConfig = { ...existing, effort: effortForThinking(thinking), summary: existing.summary ?? 'auto' };
  return { ...body, reasoning };
}

/**
 * Gemini (seed §2.9): `generationConfig.thinkingConfig.thinkingBudget` = the budget, or the level
 * table's; none is a budget of 0; auto leaves the client's config (the model decides by default).
 * Thoughts are asked for along, so the thinking asked for can be seen.
 */
function geminiThinking(body: Record<string, unknown>, thinking: ThinkingRequest): Record<string, unknown> {
  if (thinking.kind === 'auto') return body;
  const generation = isObject(body.generationConfig) ? body.generationConfig : {};
  const existing = isObject(generation.thinkingConfig) ? without(generation.thinkingConfig, ['thinkingLevel']) : {};
  const thinkingConfig =
    thinking.kind === 'none'
      ? { ...without(existing, ['includeThoughts']), thinkingBudget: 0 }
      : { ...existing, thinkingBudget: thinking.kind === 'budget' ? thinking.tokens : THINKING_LEVEL_BUDGETS[thinking.level], includeThoughts: true };
  return { ...body, generationConfig: { ...generation, thinkingConfig } };
}

function messagesThinking(body: Record<string, unknown>, thinking: ThinkingRequest): Record<string, unknown> {
  const budget = anthropicBudgetFor(thinking);
  if (budget === undefined) return withoutEffort(without(body, ['thinking']));
  // The suffix must not turn a request Anthropic would take into one it rejects: thinking is left
  // as the client sent it when a tool is forced or a tool-calling turn lost its thinking blocks.
  if (!thinkingAllowed(body.tool_choice as AnthropicToolChoice | undefined, body.messages)) return body;

  const next: Record<string, unknown> = { ...body, thinking: { type: 'enabled', budget_tokens: budget } };
  // budget_tokens must stay below max_tokens; the seed's rule leaves room for the answer. A body
  // without max_tokens (Anthropic requires one) gets it too.
  const maxTokens = typeof body.max_tokens === 'number' ? body.max_tokens : 0;
  if (maxTokens <= budget) next.max_tokens = budget + Math.max(Math.floor(budget / 10), 1024);
  // With thinking on, Anthropic takes only temperature 1 (its default, so the field is dropped),
  // no top_k, and top_p between 0.95 and 1.
  if (next.temperature !== undefined && next.temperature !== 1) delete next.temperature;
  delete next.top_k;
  if (typeof next.top_p === 'number' && (next.top_p < 0.95 || next.top_p > 1)) delete next.top_p;
  // auto: the seed drops output_config's effort so the budget alone decides.
  return thinking.kind === 'auto' ? withoutEffort(next) : next;
}

/**
 * Thinking cannot be on when the tool choice forces a tool, nor when the last assistant turn
 * called tools without starting with its thinking blocks (Anthropic requires them there).
 */
function thinkingAllowed(toolChoice: AnthropicToolChoice | undefined, messages: unknown): boolean {
  if (toolChoice?.type === 'any' || toolChoice?.type === 'tool') return false;
  if (!Array.isArray(messages)) return true;
  const lastAssistant = (messages as AnthropicMessageParam[]).findLast((m) => m?.role === 'assistant');
  if (!lastAssistant || !Array.isArray(lastAssistant.content)) return true;
  const content = lastAssistant.content;
  if (!content.some((block) => block?.type === 'tool_use')) return true;
  return content[0]?.type === 'thinking' || content[0]?.type === 'redacted_thinking';
}

/**
 * Drops `output_config.effort` (the adaptive-thinking effort) but keeps the rest of
 * `output_config` (e.g. `format`), removing it only when nothing is left.
 */
function withoutEffort(body: Record<string, unknown>): Record<string, unknown> {
  const config = body.output_config;
  if (!isObject(config) || !Object.hasOwn(config, 'effort')) return body;
  const rest = without(config, ['effort']);
  return Object.keys(rest).length === 0 ? without(body, ['output_config']) : { ...body, output_config: rest };
}

function without(object: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  if (!keys.some((key) => Object.hasOwn(object, key))) return object;
  const copy = { ...object };
  for (const key of keys) delete copy[key];
  return copy;
}

