// The token taps, per protocol, on answers and streams shaped as reference/wire-protocols.md
// describes them: what a usage record will say the upstream counted.
import type { WireProtocol } from '../contract/provider-executor';
import { ANSWER_COUNTERS, noTokens, STREAM_COUNTERS } from './token-counting';
import type { TokenCounts } from '../store/usage-record';

function countAnswer(protocol: WireProtocol, answer: unknown): TokenCounts {
  const tokens = noTokens();
  ANSWER_COUNTERS[protocol](tokens, answer);
  return tokens;
}

function countStream(protocol: WireProtocol, events: unknown[]): TokenCounts {
  const tokens = noTokens();
  for (const event of events) STREAM_COUNTERS[protocol](tokens, event);
  return tokens;
}

describe('OpenAI chat', () => {
  const usage = {
    prompt_tokens: 1200,
    completion_tokens: 300,
    total_tokens: 1500,
    prompt_tokens_details: { cached_tokens: 1024 },
    completion_tokens_details: { reasoning_tokens: 192 },
  };

  it('counts a completion: prompt, completion, cached and reasoning tokens', () => {
    expect(countAnswer('openai-chat', { object: 'chat.completion', choices: [], usage })).toEqual({ input: 1200, output: 300, cached: 1024, reasoning: 192 });
  });

  it('counts a completion without the details objects (older or compatible servers)', () => {
    expect(countAnswer('openai-chat', { usage: { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 } })).toEqual({ input: 9, output: 4, cached: 0, reasoning: 0 });
  });

  it('counts nothing for a completion without usage, or with nonsense in it', () => {
    expect(countAnswer('openai-chat', { choices: [] })).toEqual(noTokens());
    expect(countAnswer('openai-chat', { usage: { prompt_tokens: 'many', completion_tokens: -3 } })).toEqual(noTokens());
  });

  it('counts a stream from its usage chunk, ignoring the `usage: null` of the others', () => {
    const chunk = (content: string) => ({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content }, finish_reason: null }], usage: null });
    expect(countStream('openai-chat', [chunk('Hel'), chunk('lo'), { object: 'chat.completion.chunk', choices: [], usage }])).toEqual({
      input: 1200,
      output: 300,
      cached: 1024,
      reasoning: 192,
    });
  });

  it('counts a stream whose usage rides on the finish chunk (vLLM-style)', () => {
    const finish = { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } };
    expect(countStream('openai-chat', [{ choices: [{ index: 0, delta: { content: 'hi' } }] }, finish])).toEqual({ input: 5, output: 2, cached: 0, reasoning: 0 });
  });
});

describe('Anthropic Messages', () => {
  it('counts a message: cache reads and writes are input too, reads are the cached part', () => {
    const message = {
      type: 'message',
      usage: { input_tokens: 12, cache_creation_input_tokens: 300, cache_read_input_tokens: 2048, output_tokens: 77 },
    };
    expect(countAnswer('anthropic-messages', message)).toEqual({ input: 2360, output: 77, cached: 2048, reasoning: 0 });
  });

  it('counts a message whose cache fields are null or absent', () => {
    expect(countAnswer('anthropic-messages', { usage: { input_tokens: 12, output_tokens: 3, cache_read_input_tokens: null } })).toEqual({
      input: 12,
      output: 3,
      cached: 0,
      reasoning: 0,
    });
  });

  it('counts a stream: the input side from message_start, the final output from message_delta', () => {
    const events = [
      { type: 'message_start', message: { type: 'message', usage: { input_tokens: 12, cache_creation_input_tokens: 0, cache_read_input_tokens: 2048, output_tokens: 1 } } },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'ping' },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 42 } },
      { type: 'message_stop' },
    ];
    expect(countStream('anthropic-messages', events)).toEqual({ input: 2060, output: 42, cached: 2048, reasoning: 0 });
  });

  it('takes the input side from message_delta too when it carries one (newer API versions)', () => {
    const events = [
      { type: 'message_start', message: { usage: { input_tokens: 10, output_tokens: 1 } } },
      { type: 'message_delta', delta: {}, usage: { input_tokens: 10, cache_creation_input_tokens: 5, cache_read_input_tokens: 100, output_tokens: 20 } },
    ];
    expect(countStream('anthropic-messages', events)).toEqual({ input: 115, output: 20, cached: 100, reasoning: 0 });
  });

  it('keeps the first output count when the stream is cut before message_delta', () => {
    expect(countStream('anthropic-messages', [{ type: 'message_start', message: { usage: { input_tokens: 10, output_tokens: 1 } } }])).toEqual({
      input: 10,
      output: 1,
      cached: 0,
      reasoning: 0,
    });
  });
});

describe('OpenAI Responses', () => {
  const usage = {
    input_tokens: 3120,
    input_tokens_details: { cached_tokens: 2944 },
    output_tokens: 42,
    output_tokens_details: { reasoning_tokens: 24 },
    total_tokens: 3162,
  };

  it('counts a Response object', () => {
    expect(countAnswer('openai-responses', { object: 'response', status: 'completed', output: [], usage })).toEqual({
      input: 3120,
      output: 42,
      cached: 2944,
      reasoning: 24,
    });
  });

  it('counts a stream from response.completed, not from the usage: null of response.created', () => {
    const events = [
      { type: 'response.created', response: { status: 'in_progress', usage: null } },
      { type: 'response.output_text.delta', delta: 'Hi' },
      { type: 'response.completed', response: { status: 'completed', usage } },
    ];
    expect(countStream('openai-responses', events)).toEqual({ input: 3120, output: 42, cached: 2944, reasoning: 24 });
  });

  it('counts an incomplete response (max_output_tokens) too', () => {
    const events = [{ type: 'response.incomplete', response: { status: 'incomplete', usage: { input_tokens: 8, output_tokens: 16, total_tokens: 24 } } }];
    expect(countStream('openai-responses', events)).toEqual({ input: 8, output: 16, cached: 0, reasoning: 0 });
  });
});

describe('Kiro', () => {
  it('counts a stream: input from the context usage percentage, output estimated from the text and tool input', () => {
    const tokens = noTokens();
    for (const event of [
      { assistantResponseEvent: { content: 'Hello, ' } },
      { assistantResponseEvent: { content: 'world' } },
      { toolUseEvent: { name: 'f', toolUseId: 't', input: '{"a":1}' } },
      { meteringEvent: { unit: 'credit', usage: 0.4 } },
      { contextUsageEvent: { contextUsagePercentage: 0.53 } },
    ]) {
      STREAM_COUNTERS.kiro(tokens, event);
    }
    // 0.53 % of a 200k window; 19 characters at four a token.
    expect(tokens).toEqual({ input: 1060, output: 5, cached: 0, reasoning: 0 });
  });

  it('takes a metadata event\'s real counts where Kiro sends them', () => {
    const tokens = noTokens();
    STREAM_COUNTERS.kiro(tokens, { assistantResponseEvent: { content: 'some text here' } });
    STREAM_COUNTERS.kiro(tokens, { messageMetadataEvent: { tokenUsage: { uncachedInputTokens: 20, cacheReadInputTokens: 100, cacheWriteInputTokens: 5, outputTokens: 9 } } });
    expect(tokens).toEqual({ input: 125, output: 9, cached: 100, reasoning: 0 });
  });
});
