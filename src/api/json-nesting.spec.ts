// nestsDeeperThan: the depth of arrays and objects in a JSON text, brackets inside strings (with
// every form of escaped quote) not counted, in time linear in the text.
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-nesting';

const nested = (depth: number, open = '[', close = ']') => open.repeat(depth) + close.repeat(depth);

describe('nestsDeeperThan', () => {
  it.each<[string, string, number, boolean]>([
    ['a scalar', '42', 0, false],
    ['a string', '"x"', 0, false],
    ['an empty object at its limit', '{}', 1, false],
    ['an empty object past a limit of 0', '{}', 0, true],
    ['arrays exactly at the limit', nested(5), 5, false],
    ['arrays one past the limit', nested(6), 5, true],
    ['objects one past the limit', '{"a":'.repeat(6) + '1' + '}'.repeat(6), 5, true],
    ['objects exactly at the limit', '{"a":'.repeat(5) + '1' + '}'.repeat(5), 5, false],
    ['mixed objects and arrays past the limit', '{"a":[{"b":[[1]]}]}', 4, true],
    ['siblings, which do not add up', '[[1],[2],[3],{"a":[4]},[[5]]]', 3, false],
  ])('%s', (_label, text, limit, expected) => {
    expect(nestsDeeperThan(text, limit)).toBe(expected);
  });

  it.each<[string, string]>([
    ['brackets inside a string', `{"text":"${'['.repeat(500)}"}`],
    ['braces inside a key', `{"${'{'.repeat(500)}":1}`],
    ['an escaped quote before the brackets', `{"text":"say \\"${'['.repeat(500)}\\" twice"}`],
    ['an escaped backslash then an escaped quote', `["\\\\\\"${'['.repeat(500)}"]`],
    ['a unicode-escaped quote', `["\\u0022${'['.repeat(500)}"]`],
  ])('does not count %s', (_label, text) => {
    expect(JSON.parse(text)).toBeDefined();
    expect(nestsDeeperThan(text, 2)).toBe(false);
  });

  it('sees the string end after an escaped backslash, so the brackets after it count', () => {
    // "a\\" is a complete string: the quote after two backslashes closes it.
    const text = `["a\\\\",${nested(10)}]`;
    expect(JSON.parse(text)).toHaveLength(2);
    expect(nestsDeeperThan(text, 10)).toBe(true);
    expect(nestsDeeperThan(text, 11)).toBe(false);
  });

  it('agrees with the real depth of generated documents', () => {
    for (let depth = 1; depth <= 40; depth++) {
      let value: unknown = 'leaf "]}" \\';
      for (let level = 0; level < depth; level++) value = level % 2 ? { [`k${level}[`]: value, s: '{' } : ['"[', value, 3];
      const text = JSON.stringify(value);
      expect([depth, nestsDeeperThan(text, depth)]).toEqual([depth, false]);
      expect([depth, nestsDeeperThan(text, depth - 1)]).toEqual([depth, true]);
    }
  });

  it('gives up on an unterminated string (not JSON; the parser says why)', () => {
    expect(nestsDeeperThan(`["${nested(50)}`, 3)).toBe(false);
  });

  it('refuses 100,000 levels without recursion', () => {
    expect(nestsDeeperThan(nested(100_000), MAX_JSON_DEPTH)).toBe(true);
    expect(nestsDeeperThan('{"a":'.repeat(100_000), MAX_JSON_DEPTH)).toBe(true);
  });

  it('stays linear on long runs of backslashes and escaped quotes', () => {
    const texts = [`["${'\\\\'.repeat(2_000_000)}"]`, `["${'\\"'.repeat(2_000_000)}"]`, `["${'\\\\\\"'.repeat(1_000_000)}"]`];
    for (const text of texts) {
      expect(() => JSON.parse(text)).not.toThrow();
      const started = process.hrtime.bigint();
      expect(nestsDeeperThan(text, 1)).toBe(false);
      // Quadratic rescanning would take minutes on 4 MB; linear takes milliseconds.
      expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(1000);
    }
  });
});
