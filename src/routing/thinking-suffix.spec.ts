// Thinking suffixes: the seed's grammar case by case (reference/seed-spec.md §2.9, §7 "Thinking
// suffix").
import { parseThinkingSuffix, type ThinkingRequest } from './thinking-suffix';

describe('parseThinkingSuffix', () => {
  it.each<[string, string, ThinkingRequest | undefined]>([
    // budget
    ['claude-sonnet-5-5(16384)', 'claude-sonnet-5-5', { kind: 'budget', tokens: 16384 }],
    ['gpt-5(0)', 'gpt-5', { kind: 'budget', tokens: 0 }],
    ['gpt-5(4294967295)', 'gpt-5', { kind: 'budget', tokens: 4294967295 }],
    // levels
    ['gpt-5(high)', 'gpt-5', { kind: 'level', level: 'high' }],
    ['gpt-5(minimal)', 'gpt-5', { kind: 'level', level: 'minimal' }],
    ['claude-opus-4-6(max)', 'claude-opus-4-6', { kind: 'level', level: 'max' }],
    ['gpt-5.1-codex-max(xhigh)', 'gpt-5.1-codex-max', { kind: 'level', level: 'xhigh' }],
    ['gpt-5(low)', 'gpt-5', { kind: 'level', level: 'low' }],
    ['gpt-5(medium)', 'gpt-5', { kind: 'level', level: 'medium' }],
    // none / auto
    ['o3(none)', 'o3', { kind: 'none' }],
    ['gemini-2.5-pro(auto)', 'gemini-2.5-pro', { kind: 'auto' }],
    ['gemini-2.5-pro(-1)', 'gemini-2.5-pro', { kind: 'auto' }],
    // rejected: the whole string stays the model name
    ['gpt-5(med)', 'gpt-5(med)', undefined],
    ['gpt-5(disabled)', 'gpt-5(disabled)', undefined],
    ['gpt-5(off)', 'gpt-5(off)', undefined],
    ['gpt-5(invalid)', 'gpt-5(invalid)', undefined],
    ['gpt-5()', 'gpt-5()', undefined],
    ['gpt-5(HIGH)', 'gpt-5(HIGH)', undefined],
    ['gpt-5( high )', 'gpt-5( high )', undefined],
    ['gpt-5(-2)', 'gpt-5(-2)', undefined],
    ['gpt-5(1.5)', 'gpt-5(1.5)', undefined],
    ['gpt-5(4294967296)', 'gpt-5(4294967296)', undefined],
    ['gpt-5(high)x', 'gpt-5(high)x', undefined], // must end with `)`
    ['(high)', '(high)', undefined], // nothing before the suffix
    // the last `(` counts
    ['model(v2)(high)', 'model(v2)', { kind: 'level', level: 'high' }],
    ['model(high)(v2)', 'model(high)(v2)', undefined],
    // legacy name-thinking-N
    ['claude-sonnet-5-5-thinking-10000', 'claude-sonnet-5-5', { kind: 'budget', tokens: 10000 }],
    ['a-thinking-b-thinking-2048', 'a-thinking-b', { kind: 'budget', tokens: 2048 }],
    ['claude-thinking-', 'claude-thinking-', undefined],
    ['claude-thinking-high', 'claude-thinking-high', undefined],
    ['claude-thinking-10000-x', 'claude-thinking-10000-x', undefined],
    ['-thinking-100', '-thinking-100', undefined],
    // no suffix
    ['gpt-4o', 'gpt-4o', undefined],
    ['', '', undefined],
  ])('%j → model %j, thinking %j', (input, model, thinking) => {
    const parsed = parseThinkingSuffix(input);
    expect(parsed.model).toBe(model);
    expect(parsed.thinking).toEqual(thinking);
    if (thinking === undefined) expect(Object.hasOwn(parsed, 'thinking')).toBe(false);
  });
});
