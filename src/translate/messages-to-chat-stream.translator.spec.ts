import type { ChatCompletionChunk, ChatThinkingBlock } from '../protocol/openai-chat';
import type { MessagesStreamEvent } from '../protocol/anthropic-messages';
import { assembleChatStream } from './fixtures/assemble-chat-stream';
import { OVERLOADED_ERROR_EVENT, SAMPLE_C_TEXT, SAMPLE_D_THINKING_TOOL, events } from './fixtures/messages-stream-samples';
import { MessagesStreamError } from './messages-stream-error';
import { MessagesToChatStreamTranslator } from './messages-to-chat-stream.translator';

const translator = new MessagesToChatStreamTranslator();

/** Every chunk of a whole stream, checking that it finished. */
function run(input: MessagesStreamEvent[], includeUsage = false): ChatCompletionChunk[] {
  const stream = translator.createStream({ includeUsage });
  const chunks = input.flatMap((event) => stream.push(event));
  stream.end();
  return chunks;
}

function caught(fn: () => unknown): MessagesStreamError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(MessagesStreamError);
    return error as MessagesStreamError;
  }
  throw new Error('expected a MessagesStreamError');
}

function thinkingBlocksOf(chunks: ChatCompletionChunk[]): ChatThinkingBlock[] {
  return chunks.flatMap((c) => c.choices.flatMap((choice) => choice.delta.thinking_blocks ?? []));
}

const start = (id = 'msg_t1', usage: Record<string, number> = { input_tokens: 10, output_tokens: 1 }): MessagesStreamEvent => ({
  type: 'message_start',
  message: { id, type: 'message', role: 'assistant', model: 'claude-opus-4-1', content: [], stop_reason: null, stop_sequence: null, usage: usage as never },
});
const blockStart = (index: number, content_block: Record<string, unknown>): MessagesStreamEvent =>
  ({ type: 'content_block_start', index, content_block }) as MessagesStreamEvent;
const delta = (index: number, d: Record<string, unknown>): MessagesStreamEvent => ({ type: 'content_block_delta', index, delta: d }) as MessagesStreamEvent;
const blockStop = (index: number): MessagesStreamEvent => ({ type: 'content_block_stop', index });
const messageDelta = (stop_reason: string, usage: Record<string, number> = { output_tokens: 5 }): MessagesStreamEvent =>
  ({ type: 'message_delta', delta: { stop_reason, stop_sequence: null }, usage }) as MessagesStreamEvent;
const stop: MessagesStreamEvent = { type: 'message_stop' };

describe('MessagesToChatStream', () => {
  describe('Sample C (text)', () => {
    it('produces nothing before the first text, so an error then can still be an HTTP status', () => {
      const stream = translator.createStream();
      const [messageStart, textStart, ping] = events(SAMPLE_C_TEXT);
      expect(stream.push(messageStart)).toEqual([]);
      expect(stream.push(textStart)).toEqual([]);
      expect(stream.push(ping)).toEqual([]);
      expect(stream.started).toBe(false);
    });

    it('streams the text deltas as OpenAI chunks, role first, and ends with stop', () => {
      const before = Math.floor(Date.now() / 1000);
      const chunks = run(events(SAMPLE_C_TEXT));
      const after = Math.floor(Date.now() / 1000);
      expect(chunks.map((c) => c.choices[0].delta)).toEqual([{ role: 'assistant', content: 'Hello' }, { content: '! How can I help?' }, {}]);
      expect(chunks.map((c) => c.choices[0].finish_reason)).toEqual([null, null, 'stop']);
      const created = chunks[0].created;
      expect(created).toBeGreaterThanOrEqual(before);
      expect(created).toBeLessThanOrEqual(after);
      for (const { choices, ...envelope } of chunks) {
        expect(envelope).toEqual({
          id: 'chatcmpl-msg_01XyZ',
          object: 'chat.completion.chunk',
          created,
          model: 'claude-sonnet-5-5',
          system_fingerprint: null,
        });
        expect(choices[0].index).toBe(0);
        expect(choices[0].logprobs).toBeNull();
      }
    });

    it('sends no usage at all when usage was not asked', () => {
      const chunks = run(events(SAMPLE_C_TEXT));
      expect(chunks.some((c) => 'usage' in c)).toBe(false);
      expect(chunks.every((c) => c.choices.length === 1)).toBe(true);
    });

    it('ends with a usage chunk, and usage: null on the others, when usage was asked', () => {
      const chunks = run(events(SAMPLE_C_TEXT), true);
      expect(chunks).toHaveLength(4);
      expect(chunks.slice(0, 3).map((c) => c.usage)).toEqual([null, null, null]);
      const last = chunks[3];
      expect(last.choices).toEqual([]);
      expect(last.id).toBe('chatcmpl-msg_01XyZ');
      expect(last.usage).toEqual({
        prompt_tokens: 25,
        completion_tokens: 12,
        total_tokens: 37,
        prompt_tokens_details: { cached_tokens: 0, cache_creation_tokens: 0 },
      });
    });
  });

  describe('Sample D (thinking, then a tool call)', () => {
    it('streams thinking as reasoning_content, the signed block as thinking_blocks, then the tool call', () => {
      const chunks = run(events(SAMPLE_D_THINKING_TOOL));
      expect(chunks.map((c) => c.choices[0].delta)).toEqual([
        { role: 'assistant', content: null, reasoning_content: 'Need the weather tool.' },
        { thinking_blocks: [{ type: 'thinking', thinking: 'Need the weather tool.', signature: 'EqQBCkYIBx…' }] },
        { tool_calls: [{ index: 0, id: 'toolu_01AbC', type: 'function', function: { name: 'get_weather', arguments: '' } }] },
        { tool_calls: [{ index: 0, function: { arguments: '{"city": "Par' } }] },
        { tool_calls: [{ index: 0, function: { arguments: 'is"}' } }] },
        {},
      ]);
      expect(chunks.map((c) => c.choices[0].finish_reason)).toEqual([null, null, null, null, null, 'tool_calls']);
    });

    it('assembles into one tool call with complete JSON arguments', () => {
      const assembled = assembleChatStream(run(events(SAMPLE_D_THINKING_TOOL)));
      expect(assembled.role).toBe('assistant');
      expect(assembled.content).toBeNull();
      expect(assembled.reasoning).toBe('Need the weather tool.');
      expect(assembled.toolCalls).toEqual([{ id: 'toolu_01AbC', type: 'function', name: 'get_weather', arguments: '{"city": "Paris"}' }]);
      expect(JSON.parse(assembled.toolCalls[0].arguments)).toEqual({ city: 'Paris' });
      expect(assembled.finishReason).toBe('tool_calls');
    });

    it('counts cache reads in prompt_tokens and reports them as cached_tokens', () => {
      const usage = run(events(SAMPLE_D_THINKING_TOOL), true).at(-1)?.usage;
      expect(usage).toEqual({
        prompt_tokens: 412 + 380,
        completion_tokens: 48,
        total_tokens: 412 + 380 + 48,
        prompt_tokens_details: { cached_tokens: 380, cache_creation_tokens: 0 },
      });
    });
  });

  describe('usage', () => {
    it('adds cache writes to prompt_tokens and reports them as cache_creation_tokens', () => {
      const chunks = run(
        [
          start('msg_u', { input_tokens: 10, cache_creation_input_tokens: 200, cache_read_input_tokens: 300, output_tokens: 1 }),
          blockStart(0, { type: 'text', text: '' }),
          delta(0, { type: 'text_delta', text: 'ok' }),
          blockStop(0),
          messageDelta('end_turn', { output_tokens: 30 }),
          stop,
        ],
        true,
      );
      expect(chunks.at(-1)?.usage).toEqual({
        prompt_tokens: 510,
        completion_tokens: 30,
        total_tokens: 540,
        prompt_tokens_details: { cached_tokens: 300, cache_creation_tokens: 200 },
      });
    });

    it("takes message_delta's cumulative counts over message_start's when it carries them", () => {
      const chunks = run(
        [
          start('msg_u', { input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 }),
          blockStart(0, { type: 'text', text: '' }),
          delta(0, { type: 'text_delta', text: 'ok' }),
          blockStop(0),
          messageDelta('end_turn', { input_tokens: 40, cache_read_input_tokens: 1000, output_tokens: 7 }),
          stop,
        ],
        true,
      );
      expect(chunks.at(-1)?.usage).toMatchObject({ prompt_tokens: 1040, completion_tokens: 7, total_tokens: 1047, prompt_tokens_details: { cached_tokens: 1000 } });
    });
  });

  describe('finish_reason', () => {
    it.each([
      ['end_turn', 'stop'],
      ['stop_sequence', 'stop'],
      ['pause_turn', 'stop'],
      ['max_tokens', 'length'],
      ['model_context_window_exceeded', 'length'],
      ['tool_use', 'tool_calls'],
      ['refusal', 'content_filter'],
    ])('maps stop_reason %s to %s', (reason, finish) => {
      const chunks = run([start(), blockStart(0, { type: 'text', text: '' }), delta(0, { type: 'text_delta', text: 'x' }), blockStop(0), messageDelta(reason), stop]);
      expect(chunks.at(-1)?.choices[0].finish_reason).toBe(finish);
    });

    it('still finishes (role included) when the answer has no content at all', () => {
      const chunks = run([start('msg_empty'), messageDelta('end_turn'), stop]);
      expect(chunks).toHaveLength(1);
      expect(chunks[0].choices[0]).toMatchObject({ delta: { role: 'assistant', content: null }, finish_reason: 'stop' });
      expect(chunks[0].id).toBe('chatcmpl-msg_empty');
    });
  });

  describe('tool calls and thinking', () => {
    it('numbers calls in order and routes argument deltas by block index', () => {
      const chunks = run([
        start(),
        blockStart(0, { type: 'text', text: '' }),
        delta(0, { type: 'text_delta', text: 'Checking both.' }),
        blockStop(0),
        blockStart(1, { type: 'tool_use', id: 'toolu_a', name: 'get_weather', input: {} }),
        blockStart(2, { type: 'tool_use', id: 'toolu_b', name: 'get_time', input: {} }),
        delta(2, { type: 'input_json_delta', partial_json: '{"tz":"UTC"}' }),
        delta(1, { type: 'input_json_delta', partial_json: '{"city":"Oslo"}' }),
        blockStop(1),
        blockStop(2),
        messageDelta('tool_use'),
        stop,
      ]);
      const assembled = assembleChatStream(chunks);
      expect(assembled.content).toBe('Checking both.');
      expect(assembled.toolCalls).toEqual([
        { id: 'toolu_a', type: 'function', name: 'get_weather', arguments: '{"city":"Oslo"}' },
        { id: 'toolu_b', type: 'function', name: 'get_time', arguments: '{"tz":"UTC"}' },
      ]);
    });

    it('sends a tool input that came whole with the block start (no deltas) as its arguments', () => {
      const chunks = run([start(), blockStart(0, { type: 'tool_use', id: 'toolu_w', name: 'f', input: { a: 1 } }), blockStop(0), messageDelta('tool_use'), stop]);
      expect(assembleChatStream(chunks).toolCalls).toEqual([{ id: 'toolu_w', type: 'function', name: 'f', arguments: '{"a":1}' }]);
    });

    it('passes a redacted_thinking block through as a thinking block, unchanged', () => {
      const chunks = run([start(), blockStart(0, { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va' }), blockStop(0), messageDelta('end_turn'), stop]);
      expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: null, thinking_blocks: [{ type: 'redacted_thinking', data: 'EmwKAhgBEgy3va' }] });
      expect(thinkingBlocksOf(chunks)).toEqual([{ type: 'redacted_thinking', data: 'EmwKAhgBEgy3va' }]);
    });

    it('sets the texts of separate thinking blocks apart and gives each its own signed block', () => {
      const chunks = run([
        start(),
        blockStart(0, { type: 'thinking', thinking: '', signature: '' }),
        delta(0, { type: 'thinking_delta', thinking: 'First ' }),
        delta(0, { type: 'thinking_delta', thinking: 'thought.' }),
        delta(0, { type: 'signature_delta', signature: 'sig-one' }),
        blockStop(0),
        blockStart(1, { type: 'thinking', thinking: '', signature: '' }),
        delta(1, { type: 'thinking_delta', thinking: 'Second.' }),
        delta(1, { type: 'signature_delta', signature: 'sig-two' }),
        blockStop(1),
        messageDelta('end_turn'),
        stop,
      ]);
      expect(assembleChatStream(chunks).reasoning).toBe('First thought.\n\nSecond.');
      expect(thinkingBlocksOf(chunks)).toEqual([
        { type: 'thinking', thinking: 'First thought.', signature: 'sig-one' },
        { type: 'thinking', thinking: 'Second.', signature: 'sig-two' },
      ]);
    });

    it('gives no thinking block for thinking that was never signed (it could not be sent back)', () => {
      const chunks = run([start(), blockStart(0, { type: 'thinking', thinking: '', signature: '' }), delta(0, { type: 'thinking_delta', thinking: 'hmm' }), blockStop(0), messageDelta('end_turn'), stop]);
      expect(assembleChatStream(chunks).reasoning).toBe('hmm');
      expect(thinkingBlocksOf(chunks)).toEqual([]);
    });
  });

  describe('failures', () => {
    it('throws when the stream is cut mid-block, and never says it finished', () => {
      const stream = translator.createStream({ includeUsage: true });
      const cut = events(SAMPLE_D_THINKING_TOOL).slice(0, 8); // inside the tool_use block, after '{"city": "Par'
      const chunks = cut.flatMap((event) => stream.push(event));
      expect(assembleChatStream(chunks).toolCalls).toEqual([{ id: 'toolu_01AbC', type: 'function', name: 'get_weather', arguments: '{"city": "Par' }]);
      expect(chunks.every((c) => c.choices.length === 1 && c.choices[0].finish_reason === null)).toBe(true);
      expect(stream.finished).toBe(false);
      const error = caught(() => stream.end());
      expect(error.failure).toBe('ended_early');
      expect(error.status).toBe(502);
      expect(error.message).toMatch(/message_stop/);
    });

    it('throws on a stream that got message_delta but not message_stop, with no finish chunk sent', () => {
      const stream = translator.createStream();
      const chunks = events(SAMPLE_C_TEXT).slice(0, -1).flatMap((event) => stream.push(event));
      expect(chunks.map((c) => c.choices[0].finish_reason)).toEqual([null, null]);
      expect(caught(() => stream.end()).failure).toBe('ended_early');
    });

    it('finishes once message_stop came, and ignores anything after it', () => {
      const stream = translator.createStream();
      for (const event of events(SAMPLE_C_TEXT)) stream.push(event);
      expect(stream.finished).toBe(true);
      expect(stream.push(delta(0, { type: 'text_delta', text: 'late' }))).toEqual([]);
      expect(stream.push(OVERLOADED_ERROR_EVENT)).toEqual([]);
      expect(() => stream.end()).not.toThrow();
    });

    it('throws an error event before content as a typed error, with nothing sent yet', () => {
      const stream = translator.createStream();
      stream.push(events(SAMPLE_C_TEXT)[0]);
      const error = caught(() => stream.push(structuredClone(OVERLOADED_ERROR_EVENT)));
      expect(error).toMatchObject({ failure: 'error', type: 'overloaded_error', status: 529, message: 'Overloaded' });
      expect(error.event).toEqual(OVERLOADED_ERROR_EVENT);
      expect(stream.started).toBe(false);
    });

    it('throws an error event after content too, and ignores later events', () => {
      const stream = translator.createStream();
      const sent = events(SAMPLE_C_TEXT).slice(0, 4).flatMap((event) => stream.push(event));
      expect(sent).toHaveLength(1);
      expect(stream.started).toBe(true);
      const error = caught(() => stream.push({ type: 'error', error: { type: 'api_error', message: 'Internal server error' } }));
      expect(error).toMatchObject({ type: 'api_error', status: 500, message: 'Internal server error' });
      expect(stream.push(delta(0, { type: 'text_delta', text: 'more' }))).toEqual([]);
      expect(stream.push(stop)).toEqual([]);
      expect(stream.finished).toBe(false);
    });

    it.each([
      ['invalid_request_error', 400],
      ['authentication_error', 401],
      ['billing_error', 402],
      ['permission_error', 403],
      ['not_found_error', 404],
      ['request_too_large', 413],
      ['rate_limit_error', 429],
      ['api_error', 500],
      ['timeout_error', 504],
      ['overloaded_error', 529],
      ['something_new_error', 500],
    ])('gives an error event of type %s the status %i', (type, status) => {
      const stream = translator.createStream();
      const error = caught(() => stream.push({ type: 'error', error: { type, message: 'm' } }));
      expect(error.type).toBe(type);
      expect(error.status).toBe(status);
    });
  });
});
