import type { MessagesStreamEvent } from '../protocol/anthropic-messages';
import { ChatStreamError } from './chat-stream-error';
import { ChatToMessagesStreamTranslator, type ChatStreamPayload, messagesSseEvent } from './chat-to-messages-stream.translator';
import { assertValidEventSequence, readWithSdk, sseBody } from './fixtures/anthropic-stream-check';
import {
  CUT_SSE,
  ERROR_SSE,
  REASONING_TEXT_SSE,
  SAMPLE_TOOL_CALL_SSE,
  TEXT_SSE,
  TEXT_TWO_TOOLS_SSE,
  chatChunks,
} from './fixtures/chat-stream-samples';

const translator = new ChatToMessagesStreamTranslator();

/** Every event of a whole stream, finished as the caller does after `[DONE]`. */
function run(payloads: ChatStreamPayload[], options: { inputTokens?: number; model?: string } = {}): MessagesStreamEvent[] {
  const stream = translator.createStream(options);
  const events = payloads.flatMap((payload) => stream.push(payload));
  events.push(...stream.finish());
  return events;
}

function caught(fn: () => unknown): ChatStreamError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ChatStreamError);
    return error as ChatStreamError;
  }
  throw new Error('expected a ChatStreamError');
}

/** A minimal chunk of choice 0. */
function chunk(delta: Record<string, unknown>, finish_reason: string | null = null, extra: Record<string, unknown> = {}): ChatStreamPayload {
  return { id: 'chatcmpl-x', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason }], ...extra } as ChatStreamPayload;
}

describe('ChatToMessagesStream', () => {
  describe('a text answer', () => {
    it('produces the full Anthropic event sequence, usage cumulative at the end', () => {
      const events = run(chatChunks(TEXT_SSE));
      expect(events).toEqual([
        {
          type: 'message_start',
          message: {
            id: 'msg_chatcmpl-A1',
            type: 'message',
            role: 'assistant',
            model: 'gpt-4.1',
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 },
          },
        },
        { type: 'ping' },
        { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello' } },
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: '! How can I help?' } },
        { type: 'content_block_stop', index: 0 },
        {
          type: 'message_delta',
          delta: { stop_reason: 'end_turn', stop_sequence: null },
          // prompt_tokens 3120 of which 2944 cached: Anthropic counts input without cache reads.
          usage: { input_tokens: 176, output_tokens: 12, cache_creation_input_tokens: 0, cache_read_input_tokens: 2944 },
        },
        { type: 'message_stop' },
      ]);
      assertValidEventSequence(events);
    });

    it('is read by the Anthropic SDK into the message the upstream meant', async () => {
      const { message, events, text } = await readWithSdk(run(chatChunks(TEXT_SSE)));
      expect(text).toBe('Hello! How can I help?');
      expect(message.content).toEqual([{ type: 'text', text: 'Hello! How can I help?' }]);
      expect(message.stop_reason).toBe('end_turn');
      expect(message.usage).toMatchObject({ input_tokens: 176, output_tokens: 12, cache_read_input_tokens: 2944 });
      expect(events.map((e) => e.type)).toEqual([
        'message_start',
        'content_block_start',
        'content_block_delta',
        'content_block_delta',
        'content_block_stop',
        'message_delta',
        'message_stop',
      ]);
    });

    it('frames every event with an `event:` line naming its type', () => {
      const events = run(chatChunks(TEXT_SSE));
      expect(messagesSseEvent(events[0])).toEqual({ event: 'message_start', data: JSON.stringify(events[0]), json: events[0] });
      const body = sseBody(events);
      expect(body.startsWith('event: message_start\ndata: {"type":"message_start"')).toBe(true);
      expect(body).toContain('event: ping\ndata: {"type":"ping"}\n\n');
      expect(body.endsWith('event: message_stop\ndata: {"type":"message_stop"}\n\n')).toBe(true);
    });
  });

  describe('message_start', () => {
    it('waits for the first chunk, then comes with a ping and no empty block', () => {
      const stream = translator.createStream();
      expect(stream.started).toBe(false);
      const [first] = chatChunks(TEXT_SSE); // role only, content ''
      expect(stream.push(first).map((e) => e.type)).toEqual(['message_start', 'ping']);
      expect(stream.started).toBe(true);
    });

    it('names the model from the option when the chunks do not, and reports a known input size', () => {
      const payloads = chatChunks(TEXT_SSE).map((p) => ({ ...p, model: '' }) as ChatStreamPayload);
      const [start] = run(payloads, { model: 'my-model', inputTokens: 3000 });
      expect(start).toMatchObject({ type: 'message_start', message: { model: 'my-model', usage: { input_tokens: 3000, output_tokens: 0 } } });
    });

    it('uses usage carried on the first chunk when a provider sends it on every chunk', () => {
      const [start] = translator.createStream({ inputTokens: 5 }).push(
        chunk({ role: 'assistant', content: '' }, null, { usage: { prompt_tokens: 100, completion_tokens: 0, total_tokens: 100, prompt_tokens_details: { cached_tokens: 40 } } }),
      );
      expect(start).toMatchObject({ message: { usage: { input_tokens: 60, cache_read_input_tokens: 40 } } });
    });
  });

  describe('reasoning, then text', () => {
    it('streams the reasoning as an unsigned thinking block before the text block', () => {
      const events = run(chatChunks(REASONING_TEXT_SSE));
      assertValidEventSequence(events);
      expect(events.slice(2)).toEqual([
        { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
        { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'The user greets me.' } },
        { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: ' Answer briefly.' } },
        { type: 'content_block_stop', index: 0 },
        { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
        { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Hi there' } },
        { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: '!' } },
        { type: 'content_block_stop', index: 1 },
        {
          type: 'message_delta',
          delta: { stop_reason: 'end_turn', stop_sequence: null },
          usage: { input_tokens: 18, output_tokens: 27, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
        },
        { type: 'message_stop' },
      ]);
      expect(events.some((e) => e.type === 'content_block_delta' && e.delta.type === 'signature_delta')).toBe(false);
    });

    it('is read by the SDK as a thinking block and a text block', async () => {
      const { message } = await readWithSdk(run(chatChunks(REASONING_TEXT_SSE)));
      expect(message.content).toEqual([
        { type: 'thinking', thinking: 'The user greets me. Answer briefly.', signature: '' },
        { type: 'text', text: 'Hi there!' },
      ]);
    });

    it('reads the reasoning fields other providers use (`reasoning`, `reasoning_text`)', () => {
      const events = run([chunk({ role: 'assistant', reasoning: 'vllm ' }), chunk({ reasoning_text: 'copilot' }), chunk({ content: 'ok' }, 'stop')]);
      assertValidEventSequence(events);
      const thinking = events.filter((e) => e.type === 'content_block_delta' && e.delta.type === 'thinking_delta');
      expect(thinking.map((e) => (e as { delta: { thinking: string } }).delta.thinking)).toEqual(['vllm ', 'copilot']);
    });

    it('opens a new thinking block when reasoning resumes after text', () => {
      const events = run([chunk({ reasoning_content: 'a' }), chunk({ content: 'b' }), chunk({ reasoning_content: 'c' }), chunk({ content: 'd' }, 'stop')]);
      assertValidEventSequence(events);
      const starts = events.filter((e) => e.type === 'content_block_start').map((e) => (e as { content_block: { type: string } }).content_block.type);
      expect(starts).toEqual(['thinking', 'text', 'thinking', 'text']);
    });
  });

  describe('tool calls', () => {
    it('translates the §4.1 tool-call sample into one tool_use block', async () => {
      const events = run(chatChunks(SAMPLE_TOOL_CALL_SSE));
      assertValidEventSequence(events);
      expect(events[0]).toMatchObject({ message: { id: 'msg_chatcmpl-9f', model: 'gpt-5.1-codex' } });
      expect(events.slice(2)).toEqual([
        { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'call_Q1xY9z', name: 'shell', input: {} } },
        { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"command":["ls","-la"]}' } },
        { type: 'content_block_stop', index: 0 },
        {
          type: 'message_delta',
          delta: { stop_reason: 'tool_use', stop_sequence: null },
          usage: { input_tokens: 2890, output_tokens: 31, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
        },
        { type: 'message_stop' },
      ]);
      const { message } = await readWithSdk(events);
      expect(message.content).toEqual([{ type: 'tool_use', id: 'call_Q1xY9z', name: 'shell', input: { command: ['ls', '-la'] } }]);
    });

    it('gives text and two calls one block each, indices increasing, arguments fragment by fragment', async () => {
      const events = run(chatChunks(TEXT_TWO_TOOLS_SSE));
      assertValidEventSequence(events);
      expect(events.slice(2, -2)).toEqual([
        { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Checking both cities.' } },
        { type: 'content_block_stop', index: 0 },
        { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'call_paris', name: 'get_weather', input: {} } },
        { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"city": "Par' } },
        { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: 'is"}' } },
        { type: 'content_block_stop', index: 1 },
        { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'call_tokyo', name: 'get_weather', input: {} } },
        { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"city": ' } },
        { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '"Tokyo"}' } },
        { type: 'content_block_stop', index: 2 },
      ]);
      expect(events.at(-2)).toEqual({
        type: 'message_delta',
        delta: { stop_reason: 'tool_use', stop_sequence: null },
        usage: { input_tokens: 32, output_tokens: 48, cache_creation_input_tokens: 0, cache_read_input_tokens: 380 },
      });

      const { message } = await readWithSdk(events);
      expect(message.content).toEqual([
        { type: 'text', text: 'Checking both cities.' },
        { type: 'tool_use', id: 'call_paris', name: 'get_weather', input: { city: 'Paris' } },
        { type: 'tool_use', id: 'call_tokyo', name: 'get_weather', input: { city: 'Tokyo' } },
      ]);
      expect(message.stop_reason).toBe('tool_use');
      expect(message.usage).toMatchObject({ input_tokens: 32, output_tokens: 48, cache_read_input_tokens: 380 });
    });

    it('takes a whole call in one chunk, and calls without `index` (new id, new call)', async () => {
      const events = run([
        chunk({ role: 'assistant', tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: '{"x":1}' } }] }),
        chunk({ tool_calls: [{ id: 'b', type: 'function', function: { name: 'g', arguments: '{"y":' } }] }),
        chunk({ tool_calls: [{ function: { arguments: '2}' } }] }),
        chunk({}, 'tool_calls'),
      ]);
      assertValidEventSequence(events);
      const { message } = await readWithSdk(events);
      expect(message.content).toEqual([
        { type: 'tool_use', id: 'a', name: 'f', input: { x: 1 } },
        { type: 'tool_use', id: 'b', name: 'g', input: { y: 2 } },
      ]);
    });

    it('holds arguments that come before the name, and makes up an id when the upstream sends none', () => {
      const events = run([
        chunk({ tool_calls: [{ index: 0, function: { arguments: '{"q":' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { name: 'search', arguments: '"x"}' } }] }),
        chunk({}, 'tool_calls'),
      ]);
      assertValidEventSequence(events);
      const start = events.find((e) => e.type === 'content_block_start') as { content_block: { id: string; name: string } };
      expect(start.content_block.name).toBe('search');
      expect(start.content_block.id).toMatch(/^toolu_[0-9a-f]{32}$/);
      const json = events.filter((e) => e.type === 'content_block_delta').map((e) => (e as { delta: { partial_json: string } }).delta.partial_json);
      expect(json.join('')).toBe('{"q":"x"}');
    });

    it('fails rather than lose arguments that arrive after their block was closed', () => {
      const stream = translator.createStream();
      stream.push(chunk({ tool_calls: [{ index: 0, id: 'a', function: { name: 'f', arguments: '{' } }] }));
      stream.push(chunk({ tool_calls: [{ index: 1, id: 'b', function: { name: 'g', arguments: '{}' } }] }));
      const error = caught(() => stream.push(chunk({ tool_calls: [{ index: 0, function: { arguments: '}' } }] })));
      expect(error.failure).toBe('malformed');
      expect(stream.push(chunk({}, 'tool_calls'))).toEqual([]);
    });
  });

  describe('stop_reason', () => {
    it.each([
      ['stop', false, 'end_turn'],
      ['length', false, 'max_tokens'],
      ['content_filter', false, 'refusal'],
      ['tool_calls', true, 'tool_use'],
      // Some OpenAI-compatible servers say `stop` after tool calls; the client must still run them.
      ['stop', true, 'tool_use'],
      ['eos', false, 'end_turn'],
    ])('finish_reason %s (tool call: %s) → %s', (finishReason, withCall, expected) => {
      const delta = withCall ? { tool_calls: [{ index: 0, id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] } : { content: 'x' };
      const events = run([chunk(delta), chunk({}, finishReason)]);
      assertValidEventSequence(events);
      expect(events.at(-2)).toMatchObject({ type: 'message_delta', delta: { stop_reason: expected } });
    });

    it('streams a refusal as text and ends with stop_reason refusal', async () => {
      const events = run([chunk({ role: 'assistant', content: null, refusal: "I can't help" }), chunk({ refusal: ' with that.' }, 'stop')]);
      const { message } = await readWithSdk(events);
      expect(message.content).toEqual([{ type: 'text', text: "I can't help with that." }]);
      expect(message.stop_reason).toBe('refusal');
    });
  });

  describe('usage', () => {
    it('reports output 0 and the known input estimate when the upstream sent no usage', () => {
      const events = run([chunk({ content: 'hi' }, 'stop')], { inputTokens: 42 });
      expect(events.at(-2)).toMatchObject({ usage: { input_tokens: 42, output_tokens: 0 } });
    });

    it('takes the usage chunk that arrives after the finish_reason', () => {
      const stream = translator.createStream();
      stream.push(chunk({ content: 'hi' }, 'stop'));
      expect(stream.finished).toBe(true);
      stream.push({ ...(chunk({}) as object), choices: [], usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 } } as unknown as ChatStreamPayload);
      expect(stream.finish().at(-2)).toMatchObject({ usage: { input_tokens: 7, output_tokens: 3 } });
    });
  });

  describe('failures', () => {
    it('throws ended_early from finish() for a stream cut without a finish_reason', () => {
      const stream = translator.createStream();
      const events = chatChunks(CUT_SSE).flatMap((payload) => stream.push(payload));
      expect(events.map((e) => e.type)).toEqual(['message_start', 'ping', 'content_block_start', 'content_block_delta', 'content_block_delta']);
      const error = caught(() => stream.finish());
      expect(error.failure).toBe('ended_early');
      expect(error.message).toMatch(/finish_reason/);
    });

    it('throws ended_early when the upstream sent nothing at all', () => {
      const stream = translator.createStream();
      expect(caught(() => stream.finish()).failure).toBe('ended_early');
      expect(stream.started).toBe(false);
    });

    it('throws the upstream error payload as a typed error and ignores what follows', () => {
      const [content, errorPayload] = chatChunks(ERROR_SSE);
      const stream = translator.createStream();
      expect(stream.push(content).map((e) => e.type)).toEqual(['message_start', 'ping', 'content_block_start', 'content_block_delta']);
      const error = caught(() => stream.push(errorPayload));
      expect(error).toMatchObject({
        failure: 'error',
        type: 'server_error',
        message: 'The server had an error while processing your request. Sorry about that!',
        param: null,
      });
      expect(stream.push(chunk({ content: 'more' }, 'stop'))).toEqual([]);
      expect(stream.finish()).toEqual([]);
    });

    it('keeps an error before the first chunk an HTTP-answerable failure (nothing started)', () => {
      const stream = translator.createStream();
      const error = caught(() => stream.push({ error: { message: 'Rate limit exceeded', code: 429 } }));
      expect(error.status).toBe(429);
      expect(error.code).toBe('429');
      expect(stream.started).toBe(false);
    });
  });

  it('ignores chunks after finish() and a second finish()', () => {
    const stream = translator.createStream();
    stream.push(chunk({ content: 'a' }, 'stop'));
    expect(stream.finish().map((e) => e.type)).toEqual(['message_delta', 'message_stop']);
    expect(stream.push(chunk({ content: 'b' }))).toEqual([]);
    expect(stream.finish()).toEqual([]);
  });

  it('ignores content that arrives after the finish_reason', () => {
    const events = run([chunk({ content: 'a' }, 'stop'), chunk({ content: 'late' })]);
    assertValidEventSequence(events);
    expect(JSON.stringify(events)).not.toContain('late');
  });
});

describe('assertValidEventSequence (the checker the tests above rely on)', () => {
  const good = run(chatChunks(TEXT_TWO_TOOLS_SSE));

  it('accepts a translated stream', () => {
    expect(() => assertValidEventSequence(good)).not.toThrow();
  });

  it.each([
    ['a block never stopped', good.filter((e, i) => !(e.type === 'content_block_stop' && i === good.length - 3))],
    ['a skipped index', good.map((e) => (e.type === 'content_block_start' && e.index === 2 ? { ...e, index: 3 } : e))],
    ['message_stop before message_delta', [...good.slice(0, -2), good.at(-1)!, good.at(-2)!]],
    ['no message_start', good.slice(1)],
    ['a text delta in a tool block', good.map((e) => (e.type === 'content_block_delta' && e.index === 1 ? { ...e, delta: { type: 'text_delta', text: 'x' } } : e))],
  ])('rejects %s', (_name, events) => {
    expect(() => assertValidEventSequence(events as MessagesStreamEvent[])).toThrow();
  });
});
