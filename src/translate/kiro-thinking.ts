// Thinking on Kiro's request side (protocol/kiro-assistant-response.ts, "thinking"): how long a
// reasoning effort or a model-name thinking request lets Kiro think, and the tags that switch it
// on, at the head of the system prompt block that opens the current message (kiro.rs puts them
// before the system prompt the same way; with no system prompt they are the block).
import {
  KIRO_DEFAULT_THINKING_LENGTH,
  KIRO_MAX_THINKING_LENGTH,
  KIRO_MIN_THINKING_LENGTH,
  KIRO_SYSTEM_PROMPT_CLOSE,
  KIRO_SYSTEM_PROMPT_OPEN,
  KIRO_THINKING_CONFIG_TAGS,
  KIRO_THINKING_MODE_PATTERN,
  kiroThinkingTags,
  type KiroRequest,
} from '../protocol/kiro-assistant-response';
import { isObject } from '../protocol/json-object';
import { THINKING_BUDGETS, type ThinkingRequest } from '../protocol/reasoning-levels';

/** The tags byokey puts at the head of the system block, so a later projection can replace them. */
const OUR_TAGS = /^<thinking_mode>enabled<\/thinking_mode><max_thinking_length>\d+<\/max_thinking_length>\n/;

/** A thinking length within Kiro's bounds. */
export function clampKiroThinkingLength(tokens: number): number {
  return Math.min(Math.max(Math.round(tokens), KIRO_MIN_THINKING_LENGTH), KIRO_MAX_THINKING_LENGTH);
}

/**
 * The thinking length for a chat `reasoning_effort`: the level's budget (reasoning-levels.ts)
 * within Kiro's bounds, the default for `auto`. Undefined — thinking stays off — for `none`, no
 * effort, or a value we do not know (as the chat → Messages translator treats it).
 */
export function kiroThinkingLengthForEffort(effort: unknown): number | undefined {
  if (typeof effort !== 'string') return undefined;
  const level = effort.trim().toLowerCase();
  if (level === 'auto') return KIRO_DEFAULT_THINKING_LENGTH;
  if (level === 'none' || !Object.hasOwn(THINKING_BUDGETS, level)) return undefined;
  return clampKiroThinkingLength(THINKING_BUDGETS[level]);
}

/** The thinking length for a model-name thinking request (`kiro-claude-sonnet-4-5(high)`); undefined for none. */
export function kiroThinkingLengthFor(thinking: ThinkingRequest): number | undefined {
  switch (thinking.kind) {
    case 'none':
      return undefined;
    case 'auto':
      return KIRO_DEFAULT_THINKING_LENGTH;
    case 'level':
      return clampKiroThinkingLength(THINKING_BUDGETS[thinking.level]);
    case 'budget':
      return thinking.tokens > 0 ? clampKiroThinkingLength(thinking.tokens) : undefined;
  }
}

/** The client's own text already configures thinking (Cursor and Amp send the tags themselves). */
export function kiroThinkingConfigured(text: string): boolean {
  return KIRO_THINKING_CONFIG_TAGS.some((tag) => text.includes(tag));
}

/**
 * A current message's content with byokey's thinking tags set to `length`, or taken out for
 * undefined (with the system block, when the tags were all of it). Tags a client wrote itself
 * are left alone.
 */
export function withKiroThinking(content: string, length: number | undefined): string {
  let out = content;
  if (out.startsWith(KIRO_SYSTEM_PROMPT_OPEN) && OUR_TAGS.test(out.slice(KIRO_SYSTEM_PROMPT_OPEN.length))) {
    const rest = out.slice(KIRO_SYSTEM_PROMPT_OPEN.length).replace(OUR_TAGS, '');
    // The tags were the whole block: `--- SYSTEM PROMPT ---\n--- END SYSTEM PROMPT ---\n\n` is left.
    const emptyBlock = KIRO_SYSTEM_PROMPT_CLOSE.slice(1);
    out = rest.startsWith(emptyBlock) ? rest.slice(emptyBlock.length) : KIRO_SYSTEM_PROMPT_OPEN + rest;
  }
  if (length === undefined) return out;
  const tags = kiroThinkingTags(length);
  return out.startsWith(KIRO_SYSTEM_PROMPT_OPEN)
    ? `${KIRO_SYSTEM_PROMPT_OPEN}${tags}\n${out.slice(KIRO_SYSTEM_PROMPT_OPEN.length)}`
    : `${KIRO_SYSTEM_PROMPT_OPEN}${tags}${KIRO_SYSTEM_PROMPT_CLOSE}${out}`;
}

/** `body` with its current message's thinking tags set to `length` (or taken out); never mutates `body`. */
export function withKiroRequestThinking(body: KiroRequest, length: number | undefined): KiroRequest {
  const message = body.conversationState?.currentMessage?.userInputMessage;
  if (!isObject(message) || typeof message.content !== 'string') return body;
  const content = withKiroThinking(message.content, length);
  if (content === message.content) return body;
  const state = body.conversationState;
  return { ...body, conversationState: { ...state, currentMessage: { userInputMessage: { ...message, content } } } };
}

/**
 * Whether a Kiro request switches thinking on (byokey's tags or a client's own): only then is a
 * `<thinking>` at the start of the answer the model's thinking rather than its words.
 */
export function kiroThinkingAsked(request: unknown): boolean {
  if (!isObject(request) || !isObject(request.conversationState)) return false;
  const current = request.conversationState.currentMessage;
  const message = isObject(current) ? current.userInputMessage : undefined;
  return isObject(message) && typeof message.content === 'string' && KIRO_THINKING_MODE_PATTERN.test(message.content);
}
