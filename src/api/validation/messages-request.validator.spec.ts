// The /v1/messages validator checks only what the gateway reads before routing; every shape the
// Messages API or Claude Code may send past that goes on to the upstream to judge.
import { GatewayError } from '../../common/gateway-error';
import { validateMessagesRequest } from './messages-request.validator';

const base = { model: 'claude-opus-5-5', max_tokens: 1024, messages: [{ role: 'user', content: 'hi' }] };

function rejection(body: unknown, options?: { requireMaxTokens: boolean }): { status: number; message: string; param?: string | null } {
  try {
    validateMessagesRequest(body, options);
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    return { status: error.status, message: error.message, param: error.param };
  }
  throw new Error('expected a rejection');
}

describe('validateMessagesRequest', () => {
  it.each([
    ['a body that is not an object', [1, 2], 'The request body must be a JSON object.', undefined],
    ['no model', { ...base, model: undefined }, 'model: Field required', 'model'],
    ['an empty model', { ...base, model: '  ' }, 'model: Input should be a non-empty string', 'model'],
    ['a model that is not a string', { ...base, model: 7 }, 'model: Input should be a non-empty string', 'model'],
    ['no max_tokens', { ...base, max_tokens: undefined }, 'max_tokens: Field required', 'max_tokens'],
    ['max_tokens 0', { ...base, max_tokens: 0 }, 'max_tokens: Input should be a positive integer', 'max_tokens'],
    ['a fractional max_tokens', { ...base, max_tokens: 1.5 }, 'max_tokens: Input should be a positive integer', 'max_tokens'],
    ['no messages', { ...base, messages: undefined }, 'messages: Field required', 'messages'],
    ['messages that are not a list', { ...base, messages: { role: 'user' } }, 'messages: Input should be a valid list', 'messages'],
    ['a stream flag that is not a boolean', { ...base, stream: 'yes' }, 'stream: Input should be a valid boolean', 'stream'],
  ])('rejects %s with a 400 naming the field', (_name, body, message, param) => {
    const got = rejection(body);
    expect(got.status).toBe(400);
    expect(got.message).toBe(message);
    if (param !== undefined) expect(got.param).toBe(param);
  });

  it('does not require max_tokens when counting tokens', () => {
    expect(() => validateMessagesRequest({ model: 'm', messages: [] }, { requireMaxTokens: false })).not.toThrow();
  });

  it('accepts everything Claude Code 2.1 sends, and returns the body itself (nothing copied or dropped)', () => {
    const body = {
      model: 'gpt-6.2-sol',
      max_tokens: 32000,
      stream: true,
      system: [
        { type: 'text', text: 'x-anthropic-billing-header: cc_version=2.1.332.f1e; cc_entrypoint=cli;' },
        { type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude.", cache_control: { type: 'ephemeral' } },
      ],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'find the notebook tool' }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'ToolSearch', input: { query: 'notebook' } }] },
        { role: 'system', content: 'The user has enabled plan mode.' },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'tool_reference', tool_name: 'NotebookEdit' }] }] },
      ],
      tools: [
        { name: 'ToolSearch', input_schema: { type: 'object' } },
        { name: 'NotebookEdit', input_schema: { type: 'object' }, defer_loading: true },
        { type: 'web_search_20250305', name: 'web_search' },
      ],
      thinking: { type: 'adaptive', display: 'omitted' },
      output_config: { effort: 'xhigh' },
      context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
      metadata: { user_id: JSON.stringify({ device_id: 'd'.repeat(64), account_uuid: '', session_id: 's' }) },
    };
    expect(validateMessagesRequest(body)).toBe(body);
  });

  it.each([
    ['a system turn first', [{ role: 'system', content: 'x' }]],
    ['an unknown role', [{ role: 'narrator', content: 'x' }]],
    ['empty messages', []],
    ['content of another shape', [{ role: 'user', content: 5 }]],
    ['a block without a type', [{ role: 'user', content: [{ text: 'x' }] }]],
    ['a message that is not an object', ['hello']],
  ])('leaves %s to the upstream', (_name, messages) => {
    expect(() => validateMessagesRequest({ ...base, messages })).not.toThrow();
  });

  it('leaves system, tools and unknown fields of any shape to the upstream', () => {
    expect(() => validateMessagesRequest({ ...base, system: 5, tools: 'all', future_field: { x: 1 } })).not.toThrow();
  });
});
