// What the Codex backend is sent (toCodexRequest) and the conversation key (conversationKey).
import type { ResponsesRequest } from '../../protocol/openai-responses';
import { conversationKey, toCodexRequest } from './codex-request';

const base: ResponsesRequest = {
  model: 'gpt-5.1-codex',
  input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] }],
};

describe('toCodexRequest', () => {
  it('passes the Codex CLI additional_tools item (namespace tools) through and keeps parallel_tool_calls for it', () => {
    const additional = {
      type: 'additional_tools',
      role: 'developer',
      tools: [{ type: 'namespace', name: 'functions', tools: [{ type: 'function', name: 'exec_command', parameters: { type: 'object' } }] }, { type: 'web_search' }],
    };
    const body = toCodexRequest({ ...base, tools: [], parallel_tool_calls: true, input: [additional as never, ...(base.input as never[])] });
    expect(body.input[0]).toEqual(additional);
    expect(body.parallel_tool_calls).toBe(true);
    expect(toCodexRequest({ ...base, tools: [], parallel_tool_calls: true })).not.toHaveProperty('parallel_tool_calls');
  });

  it('forces store false and stream true, and adds empty instructions and encrypted reasoning', () => {
    const body = toCodexRequest({ ...base, store: true, stream: false });
    expect(body.store).toBe(false);
    expect(body.stream).toBe(true);
    expect(body.instructions).toBe('');
    expect(body.include).toEqual(['reasoning.encrypted_content']);
  });

  it('keeps the client instructions and include entries, without duplicates', () => {
    const body = toCodexRequest({ ...base, instructions: 'Be brief.', include: ['reasoning.encrypted_content', 'web_search_call.results'] });
    expect(body.instructions).toBe('Be brief.');
    expect(body.include).toEqual(['reasoning.encrypted_content', 'web_search_call.results']);
  });

  it.each(['temperature', 'top_p', 'max_output_tokens', 'max_tokens', 'user', 'stream_options', 'truncation', 'previous_response_id', 'type', 'safety_identifier', 'prompt_cache_retention'])(
    'drops %s, which the backend rejects',
    (field) => {
      expect(toCodexRequest({ ...base, [field]: 1 })).not.toHaveProperty(field);
    },
  );

  it('keeps fields it does not know, untouched', () => {
    const body = toCodexRequest({ ...base, text: { verbosity: 'low' }, future_field: { a: [1] }, tools: [{ type: 'web_search' }] });
    expect(body.text).toEqual({ verbosity: 'low' });
    expect(body.future_field).toEqual({ a: [1] });
    expect(body.tools).toEqual([{ type: 'web_search' }]);
  });

  it('wraps a string input as one user message', () => {
    expect(toCodexRequest({ ...base, input: 'hello' }).input).toEqual([
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hello' }] },
    ]);
  });

  it('turns system items into developer items, types bare {role, content} items, and strips item ids', () => {
    const body = toCodexRequest({
      ...base,
      input: [
        { type: 'message', role: 'system', content: 'rules', id: 'msg_1' },
        { role: 'user', content: 'hi' } as never,
        { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}', id: 'fc_1' },
        { type: 'function_call_output', call_id: 'c1', output: 'ok' },
      ],
    });
    expect(body.input).toEqual([
      { type: 'message', role: 'developer', content: 'rules' },
      { type: 'message', role: 'user', content: 'hi' },
      { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' },
      { type: 'function_call_output', call_id: 'c1', output: 'ok' },
    ]);
  });

  it('drops parallel_tool_calls without tools, keeps it with them', () => {
    expect(toCodexRequest({ ...base, parallel_tool_calls: true })).not.toHaveProperty('parallel_tool_calls');
    expect(toCodexRequest({ ...base, parallel_tool_calls: true, tools: [{ type: 'function', name: 'f' }] }).parallel_tool_calls).toBe(true);
  });

  it('passes service_tier only when it is "priority"', () => {
    expect(toCodexRequest({ ...base, service_tier: 'priority' }).service_tier).toBe('priority');
    expect(toCodexRequest({ ...base, service_tier: 'flex' })).not.toHaveProperty('service_tier');
  });

  it('does not change the request it was given', () => {
    const request: ResponsesRequest = { ...base, temperature: 1, input: [{ type: 'message', role: 'system', content: 'x', id: 'm' }] };
    const copy = JSON.parse(JSON.stringify(request));
    toCodexRequest(request);
    expect(request).toEqual(copy);
  });
});

describe('conversationKey', () => {
  it("uses the client's prompt_cache_key", () => {
    expect(conversationKey({ ...base, prompt_cache_key: 'thread-1' }, 'acct')).toBe('thread-1');
  });

  it('is stable across turns of one conversation and differs between conversations and accounts', () => {
    const turn1 = { ...base, instructions: 'sys' };
    const turn2 = { ...turn1, input: [...(base.input as never[]), { type: 'message', role: 'assistant', content: 'yo' } as never] };
    const other = { ...base, instructions: 'sys', input: 'a different start' };
    const key = conversationKey(turn1, 'acct');
    expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(conversationKey(turn2, 'acct')).toBe(key);
    expect(conversationKey(other, 'acct')).not.toBe(key);
    expect(conversationKey(turn1, 'another-account')).not.toBe(key);
  });
});
