// Thinking suffixes on model names (reference/seed-spec.md §2.9): `claude-sonnet-5-5(high)`,
// `gpt-5(8192)`, `o3(none)`, and the legacy `claude-sonnet-5-5-thinking-10000` — parsed off the
// name here; the bridge of the chosen upstream projects them onto its body
// (translate/thinking-projection.ts).
import { THINKING_LEVELS, type ThinkingLevel, type ThinkingRequest } from '../protocol/reasoning-levels';

export type { ThinkingRequest };

/** The seed parses budgets as u32; a larger number is not a suffix. */
const MAX_SUFFIX_BUDGET = 0xffffffff;
const LEGACY_MARKER = '-thinking-';

/**
 * Splits a thinking suffix off a model name. `name(value)` when the name ends with `)` and the
 * text between the last `(` and that `)` is exactly `none`, `auto`, `-1`, a level or a
 * non-negative integer; else legacy `name-thinking-N` (its last occurrence). Anything else — `(med)`,
 * `(off)`, `()`, `(HIGH)`, `( high )` — is no suffix: the whole string stays the model name.
 * A suffix with nothing before it (`(high)`) is not split either: an empty model name names nothing.
 */
export function parseThinkingSuffix(model: string): { model: string; thinking?: ThinkingRequest } {
  if (model.endsWith(')')) {
    const open = model.lastIndexOf('(');
    if (open > 0) {
      const thinking = suffixValue(model.slice(open + 1, -1));
      if (thinking) return { model: model.slice(0, open), thinking };
    }
    return { model };
  }
  const marker = model.lastIndexOf(LEGACY_MARKER);
  if (marker > 0) {
    const tokens = budgetValue(model.slice(marker + LEGACY_MARKER.length));
    if (tokens !== undefined) return { model: model.slice(0, marker), thinking: { kind: 'budget', tokens } };
  }
  return { model };
}

function suffixValue(value: string): ThinkingRequest | undefined {
  if (value === 'none') return { kind: 'none' };
  if (value === 'auto' || value === '-1') return { kind: 'auto' };
  if ((THINKING_LEVELS as readonly string[]).includes(value)) return { kind: 'level', level: value as ThinkingLevel };
  const tokens = budgetValue(value);
  return tokens === undefined ? undefined : { kind: 'budget', tokens };
}

function budgetValue(text: string): number | undefined {
  if (!/^[0-9]+$/.test(text)) return undefined;
  const tokens = Number(text);
  return tokens <= MAX_SUFFIX_BUDGET ? tokens : undefined;
}

