// Model globs: the seed's four forms behave as the seed says (reference/seed-spec.md §5.3),
// `*` also works mid-string, and every other character is literal.
import { matchesAny, matchesGlob } from './model-glob';

describe('matchesGlob', () => {
  it.each<[string, string, boolean]>([
    // seed: `*` alone matches everything, the empty name included
    ['*', 'gpt-4o', true],
    ['*', '', true],
    // seed: prefix* = starts-with
    ['claude-*', 'claude-sonnet-5-5', true],
    ['claude-*', 'claude-', true],
    ['claude-*', 'my-claude-sonnet', false],
    ['claude-*', 'Claude-sonnet', false],
    // seed: *suffix = ends-with
    ['*-mini', 'gpt-5-mini', true],
    ['*-mini', '-mini', true],
    ['*-mini', 'gpt-5-mini-2025', false],
    // seed: otherwise exact
    ['gpt-4o', 'gpt-4o', true],
    ['gpt-4o', 'gpt-4o-mini', false],
    ['gpt-4o', 'xgpt-4o', false],
    ['gpt-4o', 'GPT-4o', false],
    ['', '', true],
    ['', 'gpt-4o', false],
  ])('seed semantics: %j vs %j → %s', (pattern, model, expected) => {
    expect(matchesGlob(pattern, model)).toBe(expected);
  });

  it.each<[string, string, boolean]>([
    ['claude-*-5-5', 'claude-sonnet-5-5', true],
    ['claude-*-5-5', 'claude-5-5', false], // `-` on both sides of `*` must both be there
    ['claude-*-5-5', 'claude--5-5', true], // `*` matches the empty run
    ['claude-*-5-5', 'claude-sonnet-5-5-20261001', false],
    ['*sonnet*', 'claude-sonnet-5-5', true],
    ['*sonnet*', 'sonnet', true],
    ['*sonnet*', 'claude-opus', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'axxbyyc', true],
    ['a*b*c', 'acb', false],
    ['a*b*c', 'abcb', false], // must end with c
    ['ab*ba', 'aba', false], // head and tail may not overlap
    ['ab*ba', 'abba', true],
    ['a**b', 'ab', true],
    ['a**b', 'axb', true],
    ['x*ab*ab', 'xabab', true], // leftmost placement of the middle piece still leaves room for the tail
    ['x*ab*ab', 'xab', false],
  ])('mid-string and multiple stars: %j vs %j → %s', (pattern, model, expected) => {
    expect(matchesGlob(pattern, model)).toBe(expected);
  });

  it.each<[string, string, boolean]>([
    ['gpt-4?', 'gpt-4?', true],
    ['gpt-4?', 'gpt-4o', false], // `?` is not a one-character wildcard
    ['gpt-4.1', 'gpt-4x1', false], // `.` is not "any character"
    ['gpt-4.1', 'gpt-4.1', true],
    ['o[13]', 'o1', false], // no character classes
    ['o[13]', 'o[13]', true],
    ['a+', 'aa', false],
    ['(a|b)*', 'a', false],
    ['(a|b)*', '(a|b)-x', true],
    ['^gpt$', 'gpt', false],
    ['gpt\\d*', 'gpt\\d-x', true],
    ['gpt\\d*', 'gpt1', false],
    ['models/gemini-*', 'models/gemini-2.5-pro', true],
  ])('other characters are literal: %j vs %j → %s', (pattern, model, expected) => {
    expect(matchesGlob(pattern, model)).toBe(expected);
  });

  it('answers each pattern from its own compiled form, first use and cached alike', () => {
    expect(matchesGlob('k*', 'kx')).toBe(true);
    expect(matchesGlob('k', 'kx')).toBe(false);
    expect(matchesGlob('*x', 'kx')).toBe(true);
    expect(matchesGlob('k*', 'kx')).toBe(true);
    expect(matchesGlob('k', 'kx')).toBe(false);
    expect(matchesGlob('k*', 'xk')).toBe(false);
  });

  it('keeps answering correctly after the cache fills up and is cleared', () => {
    for (let i = 0; i < 1100; i += 1) expect(matchesGlob(`fill-${i}-*`, `fill-${i}-model`)).toBe(true);
    expect(matchesGlob('fill-3-*', 'fill-4-model')).toBe(false);
    expect(matchesGlob('fill-1099-*', 'fill-1099-')).toBe(true);
  });
});

describe('matchesAny', () => {
  it('is true when any pattern matches', () => {
    expect(matchesAny(['gpt-*', '*-mini'], 'o4-mini')).toBe(true);
    expect(matchesAny(['gpt-*', '*-mini'], 'gpt-5')).toBe(true);
  });

  it('is false when none matches, and for an empty list', () => {
    expect(matchesAny(['gpt-*', '*-mini'], 'claude-opus-4-1')).toBe(false);
    expect(matchesAny([], 'gpt-5')).toBe(false);
  });
});
