import type { ChatCompletion } from '../protocol/openai-chat';
import { ChatCompletionToMessageTranslator } from './chat-completion-to-message.translator';
import { ChatStreamError } from './chat-stream-error';
import { ChatToMessagesStreamTranslator } from './chat-to-messages-stream.translator';
import { readWithSdk } from './fixtures/anthropic-stream-check';
import { REASONING_TEXT_SSE, TEXT_TWO_TOOLS_SSE, chatChunks } from './fixtures/chat-stream-samples';

const translator = new ChatCompletionToMessageTranslator();

function completion(message: Record<string, unknown>, finish_reason: string | null = 'stop', overrides: Record<string, unknown> = {}): ChatCompletion {
  return {
    id: 'chatcmpl-N1',
    object: 'chat.completion',
    created: 1767226200,
    model: 'gpt-4.1',
    choices: [{ index: 0, message: { role: 'assistant', refusal: null, ...message }, finish_reason, logprobs: null }],
    usage: {
      prompt_tokens: 412,
      completion_tokens: 48,
      total_tokens: 460,
      prompt_tokens_details: { cached_tokens: 380 },
      completion_tokens_details: { reasoning_tokens: 0 },
    },
    system_fingerprint: null,
    ...overrides,
  } as ChatCompletion;
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

describe('ChatCompletionToMessageTranslator', () => {
  it('turns a text completion into a Message with Anthropic usage', () => {
    expect(translator.translate(completion({ content: 'Hello! How can I help?' }))).toEqual({
      id: 'msg_chatcmpl-N1',
      type: 'message',
      role: 'assistant',
      model: 'gpt-4.1',
      content: [{ type: 'text', text: 'Hello! How can I help?' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 32, output_tokens: 48, cache_creation_input_tokens: 0, cache_read_input_tokens: 380 },
    });
  });

  it('puts reasoning first as an unsigned thinking block', () => {
    const message = translator.translate(completion({ content: 'Hi there!', reasoning_content: 'The user greets me.' }));
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'The user greets me.', signature: '' },
      { type: 'text', text: 'Hi there!' },
    ]);
  });

  it('turns tool calls into tool_use blocks with parsed input, and no empty text block', () => {
    const message = translator.translate(
      completion(
        {
          content: null,
          tool_calls: [
            { id: 'call_paris', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_tokyo', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Tokyo"}' } },
          ],
        },
        'tool_calls',
      ),
    );
    expect(message.content).toEqual([
      { type: 'tool_use', id: 'call_paris', name: 'get_weather', input: { city: 'Paris' } },
      { type: 'tool_use', id: 'call_tokyo', name: 'get_weather', input: { city: 'Tokyo' } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
  });

  it.each([
    ['invalid JSON', '{"city": "Par', {}],
    ['empty arguments', '', {}],
    ['a JSON array', '[1,2]', {}],
    ['an object already', { city: 'Oslo' }, { city: 'Oslo' }],
  ])('makes tool input an object for %s', (_name, args, input) => {
    const message = translator.translate(completion({ content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: args } }] }, 'tool_calls'));
    expect(message.content).toEqual([{ type: 'tool_use', id: 'c', name: 'f', input }]);
  });

  it.each([
    ['length', 'max_tokens'],
    ['content_filter', 'refusal'],
    ['stop', 'end_turn'],
  ])('maps finish_reason %s to %s', (finishReason, stopReason) => {
    expect(translator.translate(completion({ content: 'x' }, finishReason)).stop_reason).toBe(stopReason);
  });

  it('keeps a refusal as text with stop_reason refusal', () => {
    const message = translator.translate(completion({ content: null, refusal: "I can't help with that." }));
    expect(message.content).toEqual([{ type: 'text', text: "I can't help with that." }]);
    expect(message.stop_reason).toBe('refusal');
  });

  it('reads cache writes a Claude-fronting gateway reports (prompt_tokens includes them)', () => {
    const message = translator.translate(
      completion({ content: 'x' }, 'stop', {
        usage: { prompt_tokens: 1000, completion_tokens: 5, total_tokens: 1005, prompt_tokens_details: { cached_tokens: 600, cache_creation_tokens: 300 } },
      }),
    );
    expect(message.usage).toEqual({ input_tokens: 100, output_tokens: 5, cache_creation_input_tokens: 300, cache_read_input_tokens: 600 });
  });

  it('reads DeepSeek’s top-level prompt_cache_hit_tokens', () => {
    const message = translator.translate(
      completion({ content: 'x' }, 'stop', { usage: { prompt_tokens: 50, completion_tokens: 5, total_tokens: 55, prompt_cache_hit_tokens: 20, prompt_cache_miss_tokens: 30 } }),
    );
    expect(message.usage).toMatchObject({ input_tokens: 30, cache_read_input_tokens: 20 });
  });

  it('falls back to the option model and zero usage when the upstream names neither', () => {
    const message = translator.translate(completion({ content: 'x' }, 'stop', { model: '', usage: undefined }), { model: 'local-llama' });
    expect(message.model).toBe('local-llama');
    expect(message.usage).toEqual({ input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
  });

  it('throws the error an upstream put in a 200 body', () => {
    const error = caught(() => translator.translate({ error: { message: 'model overloaded', type: 'server_error', code: 503 } } as unknown as ChatCompletion));
    expect(error).toMatchObject({ failure: 'error', status: 503, type: 'server_error', message: 'model overloaded' });
  });

  it('throws for a completion without choices', () => {
    expect(caught(() => translator.translate(completion({}, 'stop', { choices: [] }))).failure).toBe('malformed');
  });

  describe('agrees with the streaming translation read by the SDK', () => {
    const streamed = async (sse: string) => {
      const stream = new ChatToMessagesStreamTranslator().createStream();
      const events = chatChunks(sse).flatMap((p) => stream.push(p));
      return (await readWithSdk([...events, ...stream.finish()])).message;
    };

    it('for text and two tool calls', async () => {
      const nonStream = translator.translate(
        completion(
          {
            content: 'Checking both cities.',
            tool_calls: [
              { id: 'call_paris', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris"}' } },
              { id: 'call_tokyo', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Tokyo"}' } },
            ],
          },
          'tool_calls',
          { id: 'chatcmpl-T2' },
        ),
      );
      const fromStream = await streamed(TEXT_TWO_TOOLS_SSE);
      expect(nonStream.id).toBe(fromStream.id);
      expect(nonStream.content).toEqual(fromStream.content);
      expect(nonStream.stop_reason).toBe(fromStream.stop_reason);
      expect(nonStream.usage).toEqual(fromStream.usage);
    });

    it('for reasoning and text', async () => {
      const nonStream = translator.translate(
        completion({ content: 'Hi there!', reasoning_content: 'The user greets me. Answer briefly.' }, 'stop', {
          id: 'b2c3',
          model: 'deepseek-reasoner',
          usage: { prompt_tokens: 18, completion_tokens: 27, total_tokens: 45, prompt_tokens_details: { cached_tokens: 0 } },
        }),
      );
      const fromStream = await streamed(REASONING_TEXT_SSE);
      expect(nonStream.content).toEqual(fromStream.content);
      expect(nonStream.usage).toEqual(fromStream.usage);
      expect(nonStream.model).toBe(fromStream.model);
    });
  });
});
