// How much thinking a level buys, in each protocol's terms: the one table that the translators
// (reasoning_effort ⇄ Anthropic thinking budgets) and routing's model-name thinking suffixes
// (`claude-sonnet-5-5(high)`) both read, so a level means the same thing on every path.

/** Thinking budget per `reasoning_effort` level (reference/seed-spec.md §2.9). */
export const THINKING_BUDGETS: Readonly<Record<string, number>> = {
  minimal: 512,
  low: 1024,
  medium: 8192,
  high: 24576,
  xhigh: 32768,
  max: 128000,
};
/** Budget for `auto` (seed §2.9's Auto projection for Claude). */
export const AUTO_THINKING_BUDGET = 10000;
/** Anthropic rejects a smaller `budget_tokens` (so `minimal`'s 512 goes out as 1024). */
export const MIN_THINKING_BUDGET = 1024;
export const MAX_THINKING_BUDGET = 128000;

/**
 * Effort levels (Anthropic's `output_config.effort`, the model-name thinking suffixes) →
 * `reasoning_effort`: only low/medium/high, the values every OpenAI-compatible upstream takes
 * (seed §2.9, the Codex mapping).
 */
export const REASONING_EFFORT_BY_LEVEL: Readonly<Record<'minimal' | 'low' | 'medium' | 'high' | 'xhigh' | 'max', 'low' | 'medium' | 'high'>> = {
  minimal: 'low',
  low: 'low',
  medium: 'medium',
  high: 'high',
  xhigh: 'high',
  max: 'high',
};

/** The thinking levels a model-name suffix (`gpt-5(high)`) can name. */
export const THINKING_LEVELS = ['minimal', 'low', 'medium', 'high', 'xhigh', 'max'] as const;
export type ThinkingLevel = (typeof THINKING_LEVELS)[number];

/** How much thinking a request asked for through its model name (routing parses it, bridges project it). */
export type ThinkingRequest =
  | { kind: 'none' }
  | { kind: 'auto' }
  | { kind: 'level'; level: ThinkingLevel }
  | { kind: 'budget'; tokens: number };
