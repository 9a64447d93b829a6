// Thinking asked for by a model-name suffix, projected onto Chat, Responses and Messages bodies
// (reference/seed-spec.md §2.9).
import type { MessagesRequest } from '../protocol/anthropic-messages';
import type { ChatCompletionRequest } from '../protocol/openai-chat';
import type { ResponsesRequest } from '../protocol/openai-responses';
import { THINKING_BUDGETS, type ThinkingRequest } from '../protocol/reasoning-levels';
import { THINKING_LEVEL_BUDGETS, THINKING_LEVEL_EFFORTS, anthropicBudgetFor, applyThinking, effortForThinking } from './thinking-projection';

function frozen<T>(value: T): T {
  const freeze = (v: unknown): void => {
    if (typeof v === 'object' && v !== null) {
      Object.values(v).forEach(freeze);
      Object.freeze(v);
    }
  };
  freeze(value);
  return value;
}

describe('tables', () => {
  it('has the seed level → budget table, the one the chat → Messages translator uses', () => {
    expect(THINKING_LEVEL_BUDGETS).toEqual({ minimal: 512, low: 1024, medium: 8192, high: 24576, xhigh: 32768, max: 128000 });
    expect(THINKING_LEVEL_BUDGETS).toEqual(THINKING_BUDGETS);
  });

  it('maps levels to efforts as the seed maps them for Codex', () => {
    expect(THINKING_LEVEL_EFFORTS).toEqual({ minimal: 'low', low: 'low', medium: 'medium', high: 'high', xhigh: 'high', max: 'high' });
  });

  it.each<[number, string]>([
    [1, 'low'],
    [1024, 'low'],
    [1025, 'medium'],
    [8192, 'medium'],
    [8193, 'high'],
    [128000, 'high'],
  ])('maps budget %d to effort %s', (tokens, effort) => {
    expect(effortForThinking({ kind: 'budget', tokens })).toBe(effort);
  });

  it.each<[ThinkingRequest, number | undefined]>([
    [{ kind: 'budget', tokens: 100 }, 1024],
    [{ kind: 'budget', tokens: 5000 }, 5000],
    [{ kind: 'budget', tokens: 200000 }, 128000],
    [{ kind: 'level', level: 'minimal' }, 1024],
    [{ kind: 'level', level: 'low' }, 1024],
    [{ kind: 'level', level: 'medium' }, 8192],
    [{ kind: 'level', level: 'high' }, 24576],
    [{ kind: 'level', level: 'xhigh' }, 32768],
    [{ kind: 'level', level: 'max' }, 128000],
    [{ kind: 'auto' }, 10000],
    [{ kind: 'none' }, undefined],
  ])('gives Anthropic budget_tokens for %j: %s', (thinking, budget) => {
    expect(anthropicBudgetFor(thinking)).toBe(budget);
  });
});

describe('applyThinking: openai-chat', () => {
  const body = (): ChatCompletionRequest => frozen({ model: 'gpt-5', messages: [{ role: 'user', content: 'hi' }], reasoning_effort: 'medium', temperature: 0.3 });

  it.each<[ThinkingRequest, string]>([
    [{ kind: 'level', level: 'minimal' }, 'low'],
    [{ kind: 'level', level: 'low' }, 'low'],
    [{ kind: 'level', level: 'medium' }, 'medium'],
    [{ kind: 'level', level: 'high' }, 'high'],
    [{ kind: 'level', level: 'xhigh' }, 'high'],
    [{ kind: 'level', level: 'max' }, 'high'],
    [{ kind: 'budget', tokens: 1024 }, 'low'],
    [{ kind: 'budget', tokens: 8192 }, 'medium'],
    [{ kind: 'budget', tokens: 16384 }, 'high'],
  ])('sets reasoning_effort for %j to %s and keeps the rest', (thinking, effort) => {
    const input = body();
    const out = applyThinking('openai-chat', input, thinking);
    expect(out).toEqual({ ...input, reasoning_effort: effort });
    expect(input.reasoning_effort).toBe('medium');
  });

  it('leaves the body alone for auto', () => {
    const input = body();
    expect(applyThinking('openai-chat', input, { kind: 'auto' })).toBe(input);
  });

  it('removes reasoning_effort for none and for a budget of 0', () => {
    const input = body();
    for (const thinking of [{ kind: 'none' }, { kind: 'budget', tokens: 0 }] as ThinkingRequest[]) {
      const out = applyThinking('openai-chat', input, thinking);
      expect(Object.hasOwn(out, 'reasoning_effort')).toBe(false);
      expect(out).toEqual({ model: 'gpt-5', messages: input.messages, temperature: 0.3 });
    }
    expect(input.reasoning_effort).toBe('medium');
  });

  it('returns the same body for none when there is no reasoning_effort', () => {
    const input = frozen({ model: 'gpt-5', messages: [] } as ChatCompletionRequest);
    expect(applyThinking('openai-chat', input, { kind: 'none' })).toBe(input);
  });
});

describe('applyThinking: openai-responses', () => {
  const body = (reasoning?: ResponsesRequest['reasoning']): ResponsesRequest =>
    frozen({ model: 'gpt-5-codex', input: 'hi', ...(reasoning !== undefined ? { reasoning } : {}) });

  it('sets reasoning.effort with a summary of auto when the client asked for none', () => {
    expect(applyThinking('openai-responses', body(), { kind: 'level', level: 'xhigh' }).reasoning).toEqual({ effort: 'high', summary: 'auto' });
    expect(applyThinking('openai-responses', body(null), { kind: 'budget', tokens: 2000 }).reasoning).toEqual({ effort: 'medium', summary: 'auto' });
  });

  it("keeps the client's summary and other reasoning fields", () => {
    const input = body({ effort: 'high', summary: 'detailed', extra: 1 } as ResponsesRequest['reasoning']);
    const out = applyThinking('openai-responses', input, { kind: 'level', level: 'minimal' });
    expect(out.reasoning).toEqual({ effort: 'low', summary: 'detailed', extra: 1 });
    expect(input.reasoning).toEqual({ effort: 'high', summary: 'detailed', extra: 1 });
  });

  it('leaves the body alone for auto', () => {
    const input = body({ effort: 'low' });
    expect(applyThinking('openai-responses', input, { kind: 'auto' })).toBe(input);
  });

  it('removes reasoning for none', () => {
    const input = body({ effort: 'high', summary: 'auto' });
    const out = applyThinking('openai-responses', input, { kind: 'none' });
    expect(out).toEqual({ model: 'gpt-5-codex', input: 'hi' });
    expect(input.reasoning).toEqual({ effort: 'high', summary: 'auto' });
  });
});

describe('applyThinking: anthropic-messages', () => {
  const body = (extra: Partial<MessagesRequest> = {}): MessagesRequest =>
    frozen({ model: 'claude-sonnet-5-5', max_tokens: 4096, messages: [{ role: 'user', content: 'hi' }], ...extra });

  it.each<[ThinkingRequest, number, number]>([
    // [thinking, budget_tokens, max_tokens] from max_tokens 4096
    [{ kind: 'budget', tokens: 2000 }, 2000, 4096], // max_tokens already above the budget
    [{ kind: 'budget', tokens: 16384 }, 16384, 16384 + 1638],
    [{ kind: 'budget', tokens: 4096 }, 4096, 4096 + 1024], // equal is not above: raised, by at least 1024
    [{ kind: 'budget', tokens: 100 }, 1024, 4096], // Anthropic's minimum
    [{ kind: 'budget', tokens: 500000 }, 128000, 128000 + 12800], // the seed's cap
    [{ kind: 'level', level: 'minimal' }, 1024, 4096],
    [{ kind: 'level', level: 'low' }, 1024, 4096],
    [{ kind: 'level', level: 'medium' }, 8192, 8192 + 1024],
    [{ kind: 'level', level: 'high' }, 24576, 24576 + 2457],
    [{ kind: 'level', level: 'xhigh' }, 32768, 32768 + 3276],
    [{ kind: 'level', level: 'max' }, 128000, 128000 + 12800],
    [{ kind: 'auto' }, 10000, 10000 + 1024],
  ])('enables thinking for %j: budget %d, max_tokens %d', (thinking, budget, maxTokens) => {
    const input = body();
    const out = applyThinking('anthropic-messages', input, thinking);
    expect(out.thinking).toEqual({ type: 'enabled', budget_tokens: budget });
    expect(out.max_tokens).toBe(maxTokens);
    expect(out.messages).toBe(input.messages);
    expect(input).toEqual({ model: 'claude-sonnet-5-5', max_tokens: 4096, messages: [{ role: 'user', content: 'hi' }] });
  });

  it('replaces thinking the client sent', () => {
    const out = applyThinking('anthropic-messages', body({ thinking: { type: 'adaptive' } }), { kind: 'budget', tokens: 2048 });
    expect(out.thinking).toEqual({ type: 'enabled', budget_tokens: 2048 });
  });

  it('gives a body without max_tokens one above the budget', () => {
    const input = frozen({ model: 'claude-sonnet-5-5', messages: [] } as unknown as MessagesRequest);
    expect(applyThinking('anthropic-messages', input, { kind: 'level', level: 'low' }).max_tokens).toBe(1024 + 1024);
  });

  it('drops a temperature other than 1, top_k, and a top_p below 0.95 when thinking is on', () => {
    const out = applyThinking('anthropic-messages', body({ temperature: 0.2, top_k: 40, top_p: 0.5 }), { kind: 'level', level: 'high' });
    expect(Object.keys(out).filter((k) => ['temperature', 'top_k', 'top_p'].includes(k))).toEqual([]);
  });

  it('keeps temperature 1 and a top_p of at least 0.95', () => {
    const out = applyThinking('anthropic-messages', body({ temperature: 1, top_p: 0.97 }), { kind: 'level', level: 'high' });
    expect(out.temperature).toBe(1);
    expect(out.top_p).toBe(0.97);
  });

  it('adds no temperature when there was none', () => {
    const out = applyThinking('anthropic-messages', body(), { kind: 'budget', tokens: 2048 });
    expect(Object.hasOwn(out, 'temperature')).toBe(false);
  });

  it('for auto, drops output_config.effort but keeps its format', () => {
    const format = { type: 'json_schema', schema: { type: 'object' } };
    const out = applyThinking('anthropic-messages', body({ output_config: { effort: 'high', format } }), { kind: 'auto' });
    expect(out.output_config).toEqual({ format });
    const bare = applyThinking('anthropic-messages', body({ output_config: { effort: 'high' } }), { kind: 'auto' });
    expect(Object.hasOwn(bare, 'output_config')).toBe(false);
  });

  it('for a level, keeps output_config as sent', () => {
    const out = applyThinking('anthropic-messages', body({ output_config: { effort: 'low' } }), { kind: 'level', level: 'high' });
    expect(out.output_config).toEqual({ effort: 'low' });
  });

  it('for none (and a budget of 0), removes thinking and the effort, keeps temperature', () => {
    const input = body({ thinking: { type: 'enabled', budget_tokens: 5000 }, temperature: 0, output_config: { effort: 'high', format: { type: 'json_schema' } } });
    for (const thinking of [{ kind: 'none' }, { kind: 'budget', tokens: 0 }] as ThinkingRequest[]) {
      const out = applyThinking('anthropic-messages', input, thinking);
      expect(out).toEqual({
        model: 'claude-sonnet-5-5',
        max_tokens: 4096,
        messages: input.messages,
        temperature: 0,
        output_config: { format: { type: 'json_schema' } },
      });
    }
    expect(input.thinking).toEqual({ type: 'enabled', budget_tokens: 5000 });
  });

  it('returns the same body for none when there is nothing to remove', () => {
    const input = body({ output_config: { format: { type: 'json_schema' } } });
    expect(applyThinking('anthropic-messages', input, { kind: 'none' })).toBe(input);
  });

  it.each<[string, MessagesRequest['tool_choice']]>([
    ['any', { type: 'any' }],
    ['tool', { type: 'tool', name: 'get_weather' }],
  ])('does not turn thinking on when tool_choice forces a tool (%s)', (_label, toolChoice) => {
    const input = body({ tool_choice: toolChoice, temperature: 0 });
    expect(applyThinking('anthropic-messages', input, { kind: 'level', level: 'high' })).toBe(input);
  });

  it('turns thinking on with tool_choice auto', () => {
    const out = applyThinking('anthropic-messages', body({ tool_choice: { type: 'auto' } }), { kind: 'level', level: 'high' });
    expect(out.thinking).toEqual({ type: 'enabled', budget_tokens: 24576 });
  });

  it('does not turn thinking on when the last tool-calling assistant turn has no thinking blocks', () => {
    const messages: MessagesRequest['messages'] = [
      { role: 'user', content: 'weather?' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'get_weather', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'sunny' }] },
    ];
    const input = body({ messages });
    expect(applyThinking('anthropic-messages', input, { kind: 'auto' })).toBe(input);

    const withThinking = body({
      messages: [
        messages[0],
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'hm', signature: 'sig' }, ...(messages[1].content as never[])] },
        messages[2],
      ],
    });
    expect(applyThinking('anthropic-messages', withThinking, { kind: 'auto' }).thinking).toEqual({ type: 'enabled', budget_tokens: 10000 });
  });
});

describe('applyThinking: gemini', () => {
  const body = { contents: [], generationConfig: { temperature: 0.3, thinkingConfig: { thinkingLevel: 'low', includeThoughts: false } } };

  it('sets thinkingBudget from a level or a budget, asking for thoughts, and keeps the rest of generationConfig', () => {
    expect(applyThinking('gemini', body, { kind: 'level', level: 'high' })).toEqual({ contents: [], generationConfig: { temperature: 0.3, thinkingConfig: { thinkingBudget: 24576, includeThoughts: true } } });
    expect(applyThinking('gemini', { contents: [] }, { kind: 'budget', tokens: 2000 })).toEqual({ contents: [], generationConfig: { thinkingConfig: { thinkingBudget: 2000, includeThoughts: true } } });
  });

  it('turns thinking off for none and a budget of 0, and leaves the body alone for auto', () => {
    expect(applyThinking('gemini', body, { kind: 'none' }).generationConfig).toEqual({ temperature: 0.3, thinkingConfig: { thinkingBudget: 0 } });
    expect(applyThinking('gemini', body, { kind: 'budget', tokens: 0 }).generationConfig).toEqual({ temperature: 0.3, thinkingConfig: { thinkingBudget: 0 } });
    expect(applyThinking('gemini', body, { kind: 'auto' })).toBe(body);
  });
});
