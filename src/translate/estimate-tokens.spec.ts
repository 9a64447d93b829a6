import type { MessagesRequest } from '../protocol/anthropic-messages';
import { DOCUMENT_TOKENS, IMAGE_TOKENS, estimateInputTokens } from './estimate-tokens';

function request(overrides: Partial<MessagesRequest> = {}): MessagesRequest {
  return { model: 'gpt-4.1', max_tokens: 1024, messages: [], ...overrides };
}

/** The estimate of a request minus that of the same request without the part under test. */
function cost(withPart: Partial<MessagesRequest>, without: Partial<MessagesRequest> = {}): number {
  return estimateInputTokens(request(withPart)) - estimateInputTokens(request(without));
}

describe('estimateInputTokens', () => {
  it('counts about four characters of English per token', () => {
    const text = 'a'.repeat(4000);
    expect(cost({ messages: [{ role: 'user', content: text }] }, { messages: [{ role: 'user', content: '' }] })).toBe(1000);
  });

  it('counts the system prompt, string or blocks', () => {
    const base = { messages: [{ role: 'user' as const, content: 'hi' }] };
    expect(cost({ ...base, system: 'x'.repeat(400) }, base)).toBe(100);
    expect(cost({ ...base, system: [{ type: 'text', text: 'x'.repeat(200) }, { type: 'text', text: 'y'.repeat(200) }] }, base)).toBe(100);
  });

  it('counts a CJK character as about a token', () => {
    const empty = { messages: [{ role: 'user' as const, content: '' }] };
    expect(cost({ messages: [{ role: 'user', content: '你好世界'.repeat(100) }] }, empty)).toBe(400);
  });

  it('gives each image and binary document a fixed cost, whatever its byte size', () => {
    const empty = { messages: [{ role: 'user' as const, content: [] }] };
    const image = (data: string) => ({ type: 'image', source: { type: 'base64', media_type: 'image/png', data } });
    expect(cost({ messages: [{ role: 'user', content: [image('A'.repeat(10)), image('A'.repeat(100000))] }] }, empty)).toBe(2 * IMAGE_TOKENS);
    expect(
      cost({ messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0='.repeat(5000) } }] }] }, empty),
    ).toBe(DOCUMENT_TOKENS);
  });

  it('counts system turns, search results and tool references (Claude Code shapes)', () => {
    const empty = { messages: [{ role: 'user' as const, content: '' }] };
    expect(cost({ messages: [{ role: 'user', content: '' }, { role: 'system', content: 'x'.repeat(400) }] }, { messages: [{ role: 'user', content: '' }, { role: 'system', content: '' }] })).toBe(100);
    const search = { type: 'search_result', source: '', title: '', content: [{ type: 'text', text: 'y'.repeat(400) }] };
    expect(cost({ messages: [{ role: 'user', content: [search] }] }, { messages: [{ role: 'user', content: [] }] })).toBe(100);
    const reference = { type: 'tool_reference', tool_name: 'NotebookEdit' };
    expect(cost({ messages: [{ role: 'user', content: [reference] }] }, empty)).toBeGreaterThan(0);
  });

  it('counts tool definitions: name, description and schema', () => {
    const small = estimateInputTokens(request({ tools: [{ name: 't', input_schema: { type: 'object' } }] }));
    const large = estimateInputTokens(
      request({ tools: [{ name: 't', description: 'd'.repeat(4000), input_schema: { type: 'object', properties: { p: { type: 'string', description: 'q'.repeat(4000) } } } }] }),
    );
    expect(large - small).toBeGreaterThanOrEqual(2000);
    expect(small).toBeGreaterThan(0);
  });

  it('counts tool calls and tool results in the conversation', () => {
    const base = estimateInputTokens(
      request({
        messages: [
          { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'read', input: {} }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: '' }] },
        ],
      }),
    );
    const big = estimateInputTokens(
      request({
        messages: [
          { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'read', input: { path: 'p'.repeat(400) } }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: 'r'.repeat(4000) }] }] },
        ],
      }),
    );
    expect(big - base).toBeGreaterThanOrEqual(1100);
  });

  it('grows with the number of messages (per-message overhead) and is never zero', () => {
    expect(estimateInputTokens(request())).toBeGreaterThanOrEqual(1);
    const one = estimateInputTokens(request({ messages: [{ role: 'user', content: 'hi' }] }));
    const three = estimateInputTokens(
      request({ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hi' }, { role: 'user', content: 'hi' }] }),
    );
    expect(three).toBeGreaterThan(one);
  });
});
