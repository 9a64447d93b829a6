// Payload rules (reference/seed-spec.md §5.4): default / override / filter by model glob on dot
// paths, applied without mutating the request and at no cost when no rule matches.
import { applyPayloadRules, type PayloadRules } from './payload-rules';

/** A deep, frozen copy: any write to the input throws in strict mode. */
function frozen<T>(value: T): T {
  const copy = structuredClone(value);
  const freeze = (v: unknown): void => {
    if (typeof v === 'object' && v !== null) {
      Object.values(v).forEach(freeze);
      Object.freeze(v);
    }
  };
  freeze(copy);
  return copy;
}

describe('applyPayloadRules', () => {
  describe('default', () => {
    it('sets a value the body does not have', () => {
      const out = applyPayloadRules({ model: 'gpt-5' }, 'gpt-5', { default: [{ models: ['gpt-*'], params: { temperature: 0.2 } }] });
      expect(out).toEqual({ model: 'gpt-5', temperature: 0.2 });
    });

    it('leaves a value the body has, and returns the same object when that was the only rule', () => {
      const body = { model: 'gpt-5', temperature: 0.9 };
      const out = applyPayloadRules(body, 'gpt-5', { default: [{ models: ['*'], params: { temperature: 0.2 } }] });
      expect(out).toBe(body);
      expect(out).toEqual({ model: 'gpt-5', temperature: 0.9 });
    });

    it('treats null as present (the client said null) but undefined as absent (it is never sent)', () => {
      const rules: PayloadRules = { default: [{ models: ['*'], params: { top_p: 0.5 } }] };
      expect(applyPayloadRules({ top_p: null }, 'm', rules)).toEqual({ top_p: null });
      expect(applyPayloadRules({ top_p: undefined }, 'm', rules)).toEqual({ top_p: 0.5 });
    });

    it('lets the first of two defaults for one path win', () => {
      const out = applyPayloadRules({}, 'm', {
        default: [
          { models: ['*'], params: { 'reasoning.effort': 'low' } },
          { models: ['m'], params: { 'reasoning.effort': 'high' } },
        ],
      });
      expect(out).toEqual({ reasoning: { effort: 'low' } });
    });
  });

  describe('override', () => {
    it('replaces a value the body has', () => {
      const out = applyPayloadRules({ temperature: 0.9, n: 1 }, 'gpt-5', { override: [{ models: ['gpt-5'], params: { temperature: 1 } }] });
      expect(out).toEqual({ temperature: 1, n: 1 });
    });

    it('sets a value the body lacks, and can set null', () => {
      const out = applyPayloadRules({}, 'm', { override: [{ models: ['*'], params: { max_tokens: 100, stop: null } }] });
      expect(out).toEqual({ max_tokens: 100, stop: null });
    });

    it('runs after default (override wins) and the last override wins', () => {
      const out = applyPayloadRules({}, 'm', {
        override: [
          { models: ['*'], params: { a: 'first' } },
          { models: ['*'], params: { a: 'last' } },
        ],
        default: [{ models: ['*'], params: { a: 'default', b: 'default' } }],
      });
      expect(out).toEqual({ a: 'last', b: 'default' });
    });

    it('replaces a whole subtree with an object value', () => {
      const out = applyPayloadRules({ reasoning: { effort: 'high', summary: 'auto' } }, 'm', {
        override: [{ models: ['*'], params: { reasoning: { effort: 'low' } } }],
      });
      expect(out).toEqual({ reasoning: { effort: 'low' } });
    });
  });

  describe('filter', () => {
    it('removes a top-level and a nested key', () => {
      const out = applyPayloadRules({ a: 1, b: { c: 2, d: 3 }, keep: true }, 'm', { filter: [{ models: ['*'], params: ['a', 'b.c'] }] });
      expect(out).toEqual({ b: { d: 3 }, keep: true });
      expect(Object.hasOwn(out, 'a')).toBe(false);
    });

    it('returns the same object when the key or its parent path is missing or not an object', () => {
      const body = { a: 1, b: 'text', list: [{ x: 1 }] };
      const out = applyPayloadRules(body, 'm', { filter: [{ models: ['*'], params: ['missing', 'x.y', 'b.length', 'list.0'] }] });
      expect(out).toBe(body);
    });

    it('runs after override, so a field can be filtered even if an override set it', () => {
      const out = applyPayloadRules({}, 'm', {
        filter: [{ models: ['*'], params: ['x'] }],
        override: [{ models: ['*'], params: { x: 1, y: 2 } }],
      });
      expect(out).toEqual({ y: 2 });
    });
  });

  describe('dot paths', () => {
    it('creates missing intermediate objects', () => {
      const out = applyPayloadRules({ model: 'gemini-2.5-pro' }, 'gemini-2.5-pro', {
        default: [{ models: ['gemini-*'], params: { 'generationConfig.thinkingConfig.thinkingBudget': 1024 } }],
      });
      expect(out).toEqual({ model: 'gemini-2.5-pro', generationConfig: { thinkingConfig: { thinkingBudget: 1024 } } });
    });

    it('adds into an existing intermediate object and keeps its other keys', () => {
      const out = applyPayloadRules({ reasoning: { summary: 'detailed' } }, 'm', {
        override: [{ models: ['*'], params: { 'reasoning.effort': 'high' } }],
      });
      expect(out).toEqual({ reasoning: { summary: 'detailed', effort: 'high' } });
    });

    it.each<[string, unknown]>([
      ['a string', 'text'],
      ['a number', 3],
      ['null', null],
      ['an array', [{ b: 1 }]],
    ])('skips silently when an intermediate is %s', (_label, intermediate) => {
      const body = { a: intermediate };
      const rules: PayloadRules = {
        default: [{ models: ['*'], params: { 'a.b': 1 } }],
        override: [{ models: ['*'], params: { 'a.b': 2, 'a.0.b': 3 } }],
      };
      const out = applyPayloadRules(body, 'm', rules);
      expect(out).toBe(body);
      expect(out).toEqual({ a: intermediate });
    });

    it('applies the other params of a rule when one of them is skipped', () => {
      const out = applyPayloadRules({ a: 'text' }, 'm', { override: [{ models: ['*'], params: { 'a.b': 1, c: 2 } }] });
      expect(out).toEqual({ a: 'text', c: 2 });
    });

    it('ignores a malformed path (empty segment) rather than writing an empty key', () => {
      const body = { a: {} };
      const out = applyPayloadRules(body, 'm', { override: [{ models: ['*'], params: { 'a..b': 1, '': 2, '.x': 3 } }], filter: [{ models: ['*'], params: ['a.'] }] });
      expect(out).toBe(body);
    });

    it('treats __proto__ and constructor as ordinary field names', () => {
      const out = applyPayloadRules({}, 'm', { override: [{ models: ['*'], params: { '__proto__.polluted': true, 'constructor.x': 1 } }] });
      expect(JSON.stringify(out)).toBe('{"__proto__":{"polluted":true},"constructor":{"x":1}}');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    });
  });

  describe('matching', () => {
    it('applies only rules with a glob matching the model', () => {
      const out = applyPayloadRules({}, 'claude-sonnet-5-5', {
        override: [
          { models: ['gpt-*'], params: { a: 1 } },
          { models: ['o3', 'claude-*-5-5'], params: { b: 2 } },
          { models: [], params: { c: 3 } },
        ],
      });
      expect(out).toEqual({ b: 2 });
    });

    it('returns the very same object when no rule matches the model', () => {
      const body = { model: 'gpt-5', messages: [] };
      const rules: PayloadRules = {
        default: [{ models: ['claude-*'], params: { a: 1 } }],
        override: [{ models: ['claude-*'], params: { b: 1 } }],
        filter: [{ models: ['claude-*'], params: ['model'] }],
      };
      expect(applyPayloadRules(body, 'gpt-5', rules)).toBe(body);
      expect(applyPayloadRules(body, 'gpt-5', {})).toBe(body);
    });
  });

  describe('copy-on-write', () => {
    const input = () =>
      frozen({
        model: 'gpt-5',
        messages: [{ role: 'user', content: 'hi' }],
        reasoning: { effort: 'high', summary: 'auto' },
        metadata: { tags: { team: 'a' }, owner: 'x' },
      });

    it('never mutates the input (a frozen body would throw)', () => {
      const body = input();
      const before = structuredClone(body);
      const out = applyPayloadRules(body, 'gpt-5', {
        default: [{ models: ['*'], params: { 'metadata.tags.env': 'prod', 'new.deep.path': 1 } }],
        override: [{ models: ['*'], params: { 'reasoning.effort': 'low', 'metadata.owner': 'y' } }],
        filter: [{ models: ['*'], params: ['reasoning.summary', 'metadata.tags.team'] }],
      });
      expect(body).toEqual(before);
      expect(out).toEqual({
        model: 'gpt-5',
        messages: [{ role: 'user', content: 'hi' }],
        reasoning: { effort: 'low' },
        metadata: { tags: { env: 'prod' }, owner: 'y' },
        new: { deep: { path: 1 } },
      });
    });

    it('shares untouched subtrees with the input and copies only the changed path', () => {
      const body = input();
      const out = applyPayloadRules(body, 'gpt-5', { override: [{ models: ['*'], params: { 'metadata.tags.team': 'b' } }] });
      expect(out).not.toBe(body);
      expect(out.messages).toBe(body.messages);
      expect(out.reasoning).toBe(body.reasoning);
      expect(out.metadata).not.toBe(body.metadata);
      expect((out.metadata as { tags: unknown }).tags).not.toBe(body.metadata.tags);
      expect(out).toEqual({ ...body, metadata: { tags: { team: 'b' }, owner: 'x' } });
    });

    it('copies a value from the rules each time it is set, so requests never share it', () => {
      const rules: PayloadRules = { override: [{ models: ['*'], params: { metadata: { tags: ['a'] } } }] };
      const first = applyPayloadRules({}, 'm', rules) as { metadata: { tags: string[] } };
      const second = applyPayloadRules({}, 'm', rules) as { metadata: { tags: string[] } };
      first.metadata.tags.push('mutated');
      expect(second.metadata.tags).toEqual(['a']);
      expect(rules.override?.[0].params.metadata).toEqual({ tags: ['a'] });
    });

    it('writes several paths under one new parent into a single copy', () => {
      const body = input();
      const out = applyPayloadRules(body, 'gpt-5', {
        override: [{ models: ['*'], params: { 'x.a': 1 } }, { models: ['*'], params: { 'x.b': 2, 'reasoning.effort': 'low' } }],
      });
      expect(out.x).toEqual({ a: 1, b: 2 });
      expect(out.reasoning).toEqual({ effort: 'low', summary: 'auto' });
      expect(body.reasoning).toEqual({ effort: 'high', summary: 'auto' });
    });
  });
});
