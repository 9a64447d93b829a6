import type { AnthropicMessage } from '../protocol/anthropic-messages';
import { assembleChatStream } from './fixtures/assemble-chat-stream';
import { SAMPLE_D_THINKING_TOOL, events } from './fixtures/messages-stream-samples';
import { MessageToChatCompletionTranslator } from './message-to-chat-completion.translator';
import { MessagesToChatStreamTranslator } from './messages-to-chat-stream.translator';

const translator = new MessageToChatCompletionTranslator();

function message(overrides: Partial<AnthropicMessage>): AnthropicMessage {
  return {
    id: 'msg_01XyZ',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-5-5',
    content: [],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 25, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 12 },
    ...overrides,
  };
}

/** Sample D's answer as one Message, as Anthropic returns it without streaming. */
const SAMPLE_D_MESSAGE = message({
  id: 'msg_01Tool',
  content: [
    { type: 'thinking', thinking: 'Need the weather tool.', signature: 'EqQBCkYIBx…' },
    { type: 'tool_use', id: 'toolu_01AbC', name: 'get_weather', input: { city: 'Paris' } },
  ],
  stop_reason: 'tool_use',
  usage: { input_tokens: 412, cache_creation_input_tokens: 0, cache_read_input_tokens: 380, output_tokens: 48 },
});

describe('MessageToChatCompletionTranslator', () => {
  it('turns a text answer into a chat completion', () => {
    const completion = translator.translate(message({ content: [{ type: 'text', text: 'Hello' }, { type: 'text', text: '! How can I help?' }] }), { created: 1767225600 });
    expect(completion).toEqual({
      id: 'chatcmpl-msg_01XyZ',
      object: 'chat.completion',
      created: 1767225600,
      model: 'claude-sonnet-5-5',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello! How can I help?', refusal: null }, finish_reason: 'stop', logprobs: null }],
      usage: { prompt_tokens: 25, completion_tokens: 12, total_tokens: 37, prompt_tokens_details: { cached_tokens: 0, cache_creation_tokens: 0 } },
      system_fingerprint: null,
    });
  });

  it('stamps created with the current time when not given', () => {
    const before = Math.floor(Date.now() / 1000);
    const { created } = translator.translate(message({ content: [{ type: 'text', text: 'x' }] }));
    expect(created).toBeGreaterThanOrEqual(before);
    expect(created).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });

  it('gives thinking as reasoning_content and thinking_blocks, a tool call with JSON arguments, and null content', () => {
    const completion = translator.translate(SAMPLE_D_MESSAGE);
    expect(completion.choices[0]).toEqual({
      index: 0,
      message: {
        role: 'assistant',
        content: null,
        refusal: null,
        reasoning_content: 'Need the weather tool.',
        thinking_blocks: [{ type: 'thinking', thinking: 'Need the weather tool.', signature: 'EqQBCkYIBx…' }],
        tool_calls: [{ id: 'toolu_01AbC', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
      },
      finish_reason: 'tool_calls',
      logprobs: null,
    });
    expect(completion.usage).toEqual({
      prompt_tokens: 792,
      completion_tokens: 48,
      total_tokens: 840,
      prompt_tokens_details: { cached_tokens: 380, cache_creation_tokens: 0 },
    });
  });

  it('says what a streaming client of the same answer would have assembled', () => {
    const stream = new MessagesToChatStreamTranslator().createStream();
    const chunks = events(SAMPLE_D_THINKING_TOOL).flatMap((event) => stream.push(event));
    const streamed = assembleChatStream(chunks);
    const { message: completed, finish_reason } = translator.translate(SAMPLE_D_MESSAGE).choices[0];
    expect(completed.content).toBe(streamed.content);
    expect(completed.reasoning_content).toBe(streamed.reasoning);
    expect(finish_reason).toBe(streamed.finishReason);
    expect(completed.tool_calls?.map((c) => [c.id, c.function.name, JSON.parse(c.function.arguments)])).toEqual(
      streamed.toolCalls.map((c) => [c.id, c.name, JSON.parse(c.arguments)]),
    );
    expect(completed.thinking_blocks).toEqual(chunks.flatMap((c) => c.choices[0]?.delta.thinking_blocks ?? []));
  });

  it('keeps text beside tool calls, cache writes in usage, and redacted thinking', () => {
    const completion = translator.translate(
      message({
        content: [
          { type: 'redacted_thinking', data: 'EmwKAhgB' },
          { type: 'text', text: 'Let me check.' },
          { type: 'tool_use', id: 'toolu_1', name: 'lookup', input: {} },
          { type: 'tool_use', id: 'toolu_2', name: 'lookup', input: { q: 'b' } },
        ],
        stop_reason: 'tool_use',
        usage: { input_tokens: 5, cache_creation_input_tokens: 1500, cache_read_input_tokens: 0, output_tokens: 20 },
      }),
    );
    const out = completion.choices[0].message;
    expect(out.content).toBe('Let me check.');
    expect(out.reasoning_content).toBeUndefined();
    expect(out.thinking_blocks).toEqual([{ type: 'redacted_thinking', data: 'EmwKAhgB' }]);
    expect(out.tool_calls?.map((c) => c.function.arguments)).toEqual(['{}', '{"q":"b"}']);
    expect(completion.usage).toMatchObject({ prompt_tokens: 1505, total_tokens: 1525, prompt_tokens_details: { cached_tokens: 0, cache_creation_tokens: 1500 } });
  });

  it('keeps unsigned thinking as reasoning only, and ignores server tool blocks', () => {
    const out = translator.translate(
      message({
        content: [
          { type: 'thinking', thinking: 'unsigned', signature: '' },
          { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'x' } },
          { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [] },
          { type: 'text', text: 'Found it.' },
        ],
      }),
    ).choices[0].message;
    expect(out).toEqual({ role: 'assistant', content: 'Found it.', refusal: null, reasoning_content: 'unsigned' });
  });

  it.each([
    ['max_tokens', 'length'],
    ['refusal', 'content_filter'],
    ['stop_sequence', 'stop'],
    ['pause_turn', 'stop'],
  ] as const)('maps stop_reason %s to %s', (stop_reason, finish) => {
    expect(translator.translate(message({ content: [{ type: 'text', text: 'x' }], stop_reason })).choices[0].finish_reason).toBe(finish);
  });

  it('answers an empty message with empty content, not null', () => {
    expect(translator.translate(message({ content: [] })).choices[0].message.content).toBe('');
  });
});
