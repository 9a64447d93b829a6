// validateChatRequest: bad bodies → 400 GatewayError with OpenAI-style `param` and a message
// naming the field; good bodies pass through as the very same object, unknown fields untouched.
import { GatewayError } from '../../common/gateway-error';
import { validateChatRequest } from './chat-request.validator';

const user = { role: 'user', content: 'hi' };
const ok = { model: 'gpt-4o', messages: [user] };

function rejectionOf(body: unknown): GatewayError {
  try {
    validateChatRequest(body);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(body)} to be rejected`);
}

describe('validateChatRequest', () => {
  it.each<[string, unknown]>([
    ['an array', [ok]],
    ['a string', '{"model":"x"}'],
    ['null', null],
    ['a number', 42],
  ])('rejects a body that is %s, without a param', (_label, body) => {
    const error = rejectionOf(body);
    expect([error.status, error.type, error.param, error.message]).toEqual([
      400,
      'invalid_request_error',
      null,
      'The request body must be a JSON object.',
    ]);
  });

  // [what, body, param, code, a fragment of the message]
  it.each<[string, Record<string, unknown>, string, string, string]>([
    ['missing model', { messages: [user] }, 'model', 'missing_required_parameter', '`model`'],
    ['model not a string', { model: 4, messages: [user] }, 'model', 'invalid_type', '`model` must be a non-empty string'],
    ['empty model', { model: '', messages: [user] }, 'model', 'invalid_type', '`model`'],
    ['blank model', { model: '   ', messages: [user] }, 'model', 'invalid_type', '`model`'],
    ['missing messages', { model: 'm' }, 'messages', 'missing_required_parameter', '`messages`'],
    ['messages not an array', { model: 'm', messages: { role: 'user' } }, 'messages', 'invalid_type', '`messages` must be an array'],
    ['empty messages', { model: 'm', messages: [] }, 'messages', 'empty_array', 'at least one message'],
    ['a message that is not an object', { model: 'm', messages: [user, 'hello'] }, 'messages[1]', 'invalid_type', '`messages[1]` must be an object'],
    ['a null message', { model: 'm', messages: [null] }, 'messages[0]', 'invalid_type', '`messages[0]`'],
    ['a message without role', { model: 'm', messages: [user, { content: 'x' }] }, 'messages[1].role', 'missing_required_parameter', '`messages[1].role`'],
    ['an unknown role', { model: 'm', messages: [user, { role: 'robot', content: 'x' }] }, 'messages[1].role', 'invalid_value', 'got "robot"'],
    ['a role that is not a string', { model: 'm', messages: [{ role: 1 }] }, 'messages[0].role', 'invalid_value', '`messages[0].role` must be one of system, developer, user, assistant, tool, function'],
    ['content a number', { model: 'm', messages: [{ role: 'user', content: 5 }] }, 'messages[0].content', 'invalid_type', '`messages[0].content` must be a string or an array'],
    ['content an object', { model: 'm', messages: [{ role: 'user', content: { text: 'x' } }] }, 'messages[0].content', 'invalid_type', '`messages[0].content`'],
    ['a content part that is a string', { model: 'm', messages: [{ role: 'user', content: ['x'] }] }, 'messages[0].content[0]', 'invalid_type', '`messages[0].content[0]`'],
    ['a content part without type', { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }, { text: 'b' }] }] }, 'messages[0].content[1]', 'invalid_type', 'string `type`'],
    [
      'a tool message without tool_call_id',
      { model: 'm', messages: [user, { role: 'assistant', content: null, tool_calls: [] }, { role: 'tool', content: '42' }] },
      'messages[2].tool_call_id',
      'missing_required_parameter',
      '`messages[2].tool_call_id` is required',
    ],
    ['a tool_call_id that is not a string', { model: 'm', messages: [{ role: 'tool', content: 'x', tool_call_id: 7 }] }, 'messages[0].tool_call_id', 'missing_required_parameter', 'tool_call_id'],
    ['tool_calls not an array', { model: 'm', messages: [{ role: 'assistant', tool_calls: {} }] }, 'messages[0].tool_calls', 'invalid_type', '`messages[0].tool_calls` must be an array'],
    ['stream a string', { ...ok, stream: 'true' }, 'stream', 'invalid_type', '`stream` must be a boolean'],
    ['stream a number', { ...ok, stream: 1 }, 'stream', 'invalid_type', '`stream`'],
    ['stream_options an array', { ...ok, stream_options: [] }, 'stream_options', 'invalid_type', '`stream_options` must be an object'],
    ['stream_options.include_usage a string', { ...ok, stream: true, stream_options: { include_usage: 'yes' } }, 'stream_options.include_usage', 'invalid_type', '`stream_options.include_usage` must be a boolean'],
    ['temperature a string', { ...ok, temperature: '0.7' }, 'temperature', 'invalid_type', '`temperature` must be a number'],
    ['top_p a boolean', { ...ok, top_p: true }, 'top_p', 'invalid_type', '`top_p`'],
    ['max_tokens a fraction', { ...ok, max_tokens: 10.5 }, 'max_tokens', 'invalid_type', '`max_tokens` must be an integer'],
    ['max_completion_tokens a string', { ...ok, max_completion_tokens: '100' }, 'max_completion_tokens', 'invalid_type', '`max_completion_tokens`'],
    ['n a string', { ...ok, n: '2' }, 'n', 'invalid_type', '`n` must be an integer'],
    ['seed a fraction', { ...ok, seed: 1.5 }, 'seed', 'invalid_type', '`seed`'],
    ['stop a number', { ...ok, stop: 3 }, 'stop', 'invalid_type', '`stop` must be a string or an array of strings'],
    ['stop with a non-string', { ...ok, stop: ['a', 1] }, 'stop', 'invalid_type', '`stop`'],
    ['tool_choice a number', { ...ok, tool_choice: 1 }, 'tool_choice', 'invalid_type', '`tool_choice` must be a string or an object'],
    ['parallel_tool_calls a string', { ...ok, parallel_tool_calls: 'no' }, 'parallel_tool_calls', 'invalid_type', '`parallel_tool_calls`'],
    ['user a number', { ...ok, user: 12 }, 'user', 'invalid_type', '`user` must be a string'],
    ['reasoning_effort null', { ...ok, reasoning_effort: null }, 'reasoning_effort', 'invalid_type', '`reasoning_effort`'],
    ['metadata a string', { ...ok, metadata: 'x' }, 'metadata', 'invalid_type', '`metadata` must be an object'],
    ['tools an object', { ...ok, tools: { type: 'function' } }, 'tools', 'invalid_type', '`tools` must be an array'],
    ['a tool without type', { ...ok, tools: [{ function: { name: 'f' } }] }, 'tools[0]', 'invalid_type', '`tools[0]`'],
    ['a function tool without function', { ...ok, tools: [{ type: 'function' }] }, 'tools[0].function.name', 'invalid_type', '`tools[0].function.name`'],
    ['a function tool with an empty name', { ...ok, tools: [{ type: 'function', function: { name: '' } }] }, 'tools[0].function.name', 'invalid_type', 'non-empty string'],
    [
      'the second tool with a numeric name',
      { ...ok, tools: [{ type: 'function', function: { name: 'a' } }, { type: 'function', function: { name: 5 } }] },
      'tools[1].function.name',
      'invalid_type',
      '`tools[1].function.name`',
    ],
  ])('rejects %s', (_label, body, param, code, fragment) => {
    const error = rejectionOf(body);
    expect({ status: error.status, type: error.type, param: error.param, code: error.code }).toEqual({
      status: 400,
      type: 'invalid_request_error',
      param,
      code,
    });
    expect(error.message).toContain(fragment);
  });

  it('reports the first bad message when several are bad', () => {
    const error = rejectionOf({ model: 'm', messages: [user, { role: 'x' }, { role: 'y' }] });
    expect(error.param).toBe('messages[1].role');
  });

  it.each<[string, Record<string, unknown>]>([
    ['the minimal body', { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }],
    [
      'every role and content shape',
      {
        model: 'local/llama-3.1-8b',
        messages: [
          { role: 'system', content: 'be brief' },
          { role: 'developer', content: [{ type: 'text', text: 'x' }] },
          { role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image_url', image_url: { url: 'data:,' } }, { type: 'input_audio', input_audio: {} }] },
          { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 'c1', content: '42' },
          { role: 'assistant', tool_calls: null },
          { role: 'function', name: 'f', content: 'legacy' },
        ],
      },
    ],
    [
      'every optional field, null where null is allowed',
      {
        model: 'm',
        messages: [user],
        stream: null,
        stream_options: null,
        temperature: null,
        top_p: null,
        presence_penalty: null,
        frequency_penalty: null,
        max_tokens: null,
        max_completion_tokens: null,
        n: null,
        seed: null,
        stop: null,
        parallel_tool_calls: null,
        metadata: null,
      },
    ],
    [
      'every optional field with a value',
      {
        model: 'm',
        messages: [user],
        stream: true,
        stream_options: { include_usage: true, future_option: 1 },
        temperature: 0.2,
        top_p: 1,
        presence_penalty: -0.5,
        frequency_penalty: 0,
        max_tokens: 100,
        max_completion_tokens: 200,
        n: 1,
        seed: 7,
        stop: ['END', '###'],
        tool_choice: { type: 'function', function: { name: 'f' } },
        parallel_tool_calls: false,
        user: 'u-1',
        reasoning_effort: 'high',
        metadata: { team: 'x' },
        tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }, { type: 'web_search' }],
      },
    ],
    ['a string stop and a string tool_choice', { model: 'm', messages: [user], stop: 'END', tool_choice: 'auto' }],
    ['stream_options without include_usage', { model: 'm', messages: [user], stream_options: {} }],
  ])('accepts %s and returns the same object', (_label, body) => {
    const snapshot = structuredClone(body);
    const result = validateChatRequest(body);
    expect(result).toBe(body);
    expect(body).toEqual(snapshot);
  });

  it('leaves unknown fields untouched and does not copy nested objects', () => {
    const extra = { nested: { deep: [1, 2, 3] } };
    const messages = [{ role: 'user', content: 'hi', cache_control: { type: 'ephemeral' } }];
    const body = { model: 'm', messages, logit_bias: { '50256': -100 }, vendor_extension: extra, prediction: null };
    const result = validateChatRequest(body);
    expect(result).toBe(body);
    expect(result.messages).toBe(messages);
    expect(result.vendor_extension).toBe(extra);
    expect(Object.keys(result)).toEqual(['model', 'messages', 'logit_bias', 'vendor_extension', 'prediction']);
    expect(result.messages[0]).toStrictEqual({ role: 'user', content: 'hi', cache_control: { type: 'ephemeral' } });
  });
});
