import type { ChatCompletionChunk } from '../protocol/openai-chat';
import type { ResponsesStreamEvent } from '../protocol/openai-responses';
import { assembleChatStream } from './fixtures/assemble-chat-stream';
import {
  CREATED_AT,
  RESPONSE_ID,
  argsDelta,
  argsDone,
  codexWrappedError,
  completed,
  created,
  functionCall,
  incomplete,
  itemAdded,
  itemDone,
  message,
  specError,
  summaryDelta,
  textDelta,
} from './fixtures/responses-events';
import { SAMPLE_A_TEXT, SAMPLE_B_FUNCTION_CALL, SAMPLE_FAILED, events } from './fixtures/responses-samples';
import { ResponsesStreamError } from './responses-stream-error';
import { ResponsesToChatStream, ResponsesToChatStreamTranslator } from './responses-to-chat-stream.translator';

const translator = new ResponsesToChatStreamTranslator();

/** Every chunk of a whole stream, checking that it finished. */
function run(input: ResponsesStreamEvent[], includeUsage = false): ChatCompletionChunk[] {
  const stream = translator.createStream({ includeUsage });
  const chunks = input.flatMap((event) => stream.push(event));
  stream.end();
  return chunks;
}

function caught(fn: () => unknown): ResponsesStreamError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ResponsesStreamError);
    return error as ResponsesStreamError;
  }
  throw new Error('expected a ResponsesStreamError');
}

describe('ResponsesToChatStream', () => {
  describe('Sample A (reasoning, then text)', () => {
    it('produces nothing for the lifecycle events before content', () => {
      const stream = translator.createStream();
      const [createdEvent, inProgress, reasoningAdded, partAdded] = events(SAMPLE_A_TEXT);
      expect(stream.push(createdEvent)).toEqual([]);
      expect(stream.push(inProgress)).toEqual([]);
      expect(stream.push(reasoningAdded)).toEqual([]);
      expect(stream.push(partAdded)).toEqual([]);
      expect(stream.started).toBe(false);
    });

    it('streams the reasoning summary and the text as OpenAI chunks', () => {
      const chunks = run(events(SAMPLE_A_TEXT));
      expect(chunks.map((c) => c.choices[0].delta)).toEqual([
        { role: 'assistant', content: null, reasoning_content: '**Answering a greeting**' },
        { content: 'Hello' },
        { content: '! How can I help?' },
        {},
      ]);
      expect(chunks.map((c) => c.choices[0].finish_reason)).toEqual([null, null, null, 'stop']);
      for (const { choices, ...envelope } of chunks) {
        expect(envelope).toEqual({
          id: 'chatcmpl-resp_68a1f0c2d4e8',
          object: 'chat.completion.chunk',
          created: 1767225600,
          model: 'gpt-5.1-codex',
          system_fingerprint: null,
        });
        expect(choices).toHaveLength(1);
        expect(choices[0].index).toBe(0);
        expect(choices[0].logprobs).toBeNull();
      }
    });

    it('ends with a usage chunk carrying cached and reasoning tokens when usage was asked', () => {
      const chunks = run(events(SAMPLE_A_TEXT), true);
      const last = chunks[chunks.length - 1];
      expect(last).toEqual({
        id: 'chatcmpl-resp_68a1f0c2d4e8',
        object: 'chat.completion.chunk',
        created: 1767225600,
        model: 'gpt-5.1-codex',
        system_fingerprint: null,
        choices: [],
        usage: {
          prompt_tokens: 3120,
          completion_tokens: 42,
          total_tokens: 3162,
          prompt_tokens_details: { cached_tokens: 2944 },
          completion_tokens_details: { reasoning_tokens: 24 },
        },
      });
      expect(chunks).toHaveLength(5);
      for (const chunk of chunks.slice(0, -1)) expect(chunk.usage).toBeNull();
    });

    it('sends no usage at all when it was not asked', () => {
      const chunks = run(events(SAMPLE_A_TEXT));
      expect(chunks.every((c) => !('usage' in c))).toBe(true);
      expect(chunks.every((c) => c.choices.length === 1)).toBe(true);
    });
  });

  describe('Sample B (function call)', () => {
    it('starts the call with id and name, then streams the argument fragments, then tool_calls', () => {
      const chunks = run(events(SAMPLE_B_FUNCTION_CALL));
      expect(chunks.map((c) => c.choices[0].delta)).toEqual([
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ index: 0, id: 'call_Q1xY9z', type: 'function', function: { name: 'shell', arguments: '' } }],
        },
        { tool_calls: [{ index: 0, function: { arguments: '{"command":["ls",' } }] },
        { tool_calls: [{ index: 0, function: { arguments: '"-la"]}' } }] },
        {},
      ]);
      expect(chunks[3].choices[0].finish_reason).toBe('tool_calls');
      expect(chunks[0].id).toBe('chatcmpl-resp_77b2');
      expect(chunks[0].created).toBe(1767225700);
    });
  });

  it('keeps parallel calls apart by item_id, indexes 0 and 1, with interleaved deltas', () => {
    const chunks = run([
      created(),
      itemAdded(0, functionCall('fc_a', 'call_A', 'read_file')),
      itemAdded(1, functionCall('fc_b', 'call_B', 'list_dir')),
      argsDelta('fc_b', 1, '{"path":'),
      argsDelta('fc_a', 0, '{"file":'),
      argsDelta('fc_b', 1, '"src"}'),
      argsDelta('fc_a', 0, '"a.ts"}'),
      argsDone('fc_a', 0, 'read_file', '{"file":"a.ts"}'),
      argsDone('fc_b', 1, 'list_dir', '{"path":"src"}'),
      itemDone(0, functionCall('fc_a', 'call_A', 'read_file', '{"file":"a.ts"}')),
      itemDone(1, functionCall('fc_b', 'call_B', 'list_dir', '{"path":"src"}')),
      completed(),
    ]);
    const result = assembleChatStream(chunks);
    expect(result.toolCalls).toEqual([
      { id: 'call_A', type: 'function', name: 'read_file', arguments: '{"file":"a.ts"}' },
      { id: 'call_B', type: 'function', name: 'list_dir', arguments: '{"path":"src"}' },
    ]);
    expect(chunks[2].choices[0].delta.tool_calls).toEqual([{ index: 1, function: { arguments: '{"path":' } }]);
    expect(chunks[3].choices[0].delta.tool_calls).toEqual([{ index: 0, function: { arguments: '{"file":' } }]);
    expect(result.finishReason).toBe('tool_calls');
    expect(result.content).toBeNull();
  });

  describe('arguments never streamed as deltas', () => {
    it('sends them from function_call_arguments.done', () => {
      const result = assembleChatStream(
        run([created(), itemAdded(0, functionCall('fc_1', 'call_1', 'f')), argsDone('fc_1', 0, 'f', '{"x":1}'), completed()]),
      );
      expect(result.toolCalls).toEqual([{ id: 'call_1', type: 'function', name: 'f', arguments: '{"x":1}' }]);
    });

    it('sends the rest that output_item.done has beyond the streamed deltas', () => {
      const result = assembleChatStream(
        run([
          created(),
          itemAdded(0, functionCall('fc_1', 'call_1', 'f')),
          argsDelta('fc_1', 0, '{"x":'),
          itemDone(0, functionCall('fc_1', 'call_1', 'f', '{"x":1}')),
          completed(),
        ]),
      );
      expect(result.toolCalls).toEqual([{ id: 'call_1', type: 'function', name: 'f', arguments: '{"x":1}' }]);
    });

    it('starts a call that only output_item.done announces', () => {
      const chunks = run([created(), itemDone(0, functionCall('fc_1', 'call_only', 'g', '{"y":2}')), completed()]);
      expect(chunks[0].choices[0].delta.tool_calls).toEqual([
        { index: 0, id: 'call_only', type: 'function', function: { name: 'g', arguments: '{"y":2}' } },
      ]);
      expect(chunks[1].choices[0].finish_reason).toBe('tool_calls');
    });
  });

  it('sends text only output_item.done carries, without repeating streamed text', () => {
    const result = assembleChatStream(
      run([created(), textDelta(0, 'Hel'), itemDone(0, message('msg_0', 'Hello')), itemDone(1, message('msg_1', ' world')), completed()]),
    );
    expect(result.content).toBe('Hello world');
  });

  describe('reasoning', () => {
    it('separates summary parts with a blank line and passes raw reasoning text', () => {
      const result = assembleChatStream(
        run([
          created(),
          summaryDelta(0, 0, '**Plan**'),
          summaryDelta(0, 0, ' read the file'),
          summaryDelta(0, 1, '**Check**'),
          { type: 'response.reasoning_text.delta', item_id: 'rs_2', output_index: 2, content_index: 0, delta: 'raw thought' },
          textDelta(3, 'Answer'),
          completed(),
        ]),
      );
      expect(result.reasoning).toBe('**Plan** read the file\n\n**Check**\n\nraw thought');
      expect(result.content).toBe('Answer');
      expect(result.role).toBe('assistant');
    });

    it('puts the role on the first reasoning chunk only', () => {
      const chunks = run([created(), summaryDelta(0, 0, 'a'), summaryDelta(0, 0, 'b'), completed()]);
      expect(chunks.filter((c) => c.choices[0]?.delta.role === 'assistant')).toHaveLength(1);
      expect(chunks[0].choices[0].delta.role).toBe('assistant');
    });
  });

  describe('incomplete responses end normally', () => {
    it('maps max_output_tokens to length, with usage', () => {
      const stream = translator.createStream({ includeUsage: true });
      const chunks = [created(), textDelta(0, 'partial'), incomplete('max_output_tokens', { input_tokens: 10, output_tokens: 5, total_tokens: 15 })].flatMap(
        (e) => stream.push(e),
      );
      expect(stream.finished).toBe(true);
      expect(() => stream.end()).not.toThrow();
      const result = assembleChatStream(chunks);
      expect(result.finishReason).toBe('length');
      expect(result.usage).toEqual({
        prompt_tokens: 10,
        completion_tokens: 5,
        total_tokens: 15,
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0 },
      });
    });

    it('maps content_filter to content_filter', () => {
      expect(assembleChatStream(run([created(), textDelta(0, 'x'), incomplete('content_filter')])).finishReason).toBe('content_filter');
    });
  });

  it('passes refusals as delta.refusal', () => {
    const result = assembleChatStream(
      run([
        created(),
        { type: 'response.refusal.delta', item_id: 'msg_0', output_index: 0, content_index: 0, delta: "I can't help" },
        { type: 'response.refusal.done', item_id: 'msg_0', output_index: 0, content_index: 0, refusal: "I can't help with that." },
        completed(),
      ]),
    );
    expect(result.refusal).toBe("I can't help with that.");
  });

  it('keeps one id, created and model for the whole stream, whatever later events say', () => {
    const chunks = run([created(), textDelta(0, 'x'), completed({ id: 'resp_other', created_at: 1, model: 'other-model' })], true);
    expect(new Set(chunks.map((c) => `${c.id} ${c.created} ${c.model}`))).toEqual(new Set([`chatcmpl-${RESPONSE_ID} ${CREATED_AT} gpt-5.1-codex`]));
    expect(chunks).toHaveLength(3);
  });

  it('uses the completed response for identity when no response.created came, and the model option before that', () => {
    const stream = translator.createStream({ model: 'requested-model' });
    const chunks = stream.push(completed({ model: 'served-model' }));
    expect(chunks[0].id).toBe(`chatcmpl-${RESPONSE_ID}`);
    expect(chunks[0].created).toBe(CREATED_AT);
    expect(chunks[0].model).toBe('served-model');
    const early = translator.createStream({ model: 'requested-model' }).push(textDelta(0, 'x'));
    expect(early[0].model).toBe('requested-model');
    expect(early[0].id).toMatch(/^chatcmpl-resp_[0-9a-f]{32}$/);
  });

  describe('failures', () => {
    it('reports a stream that ends before response.completed', () => {
      const stream = translator.createStream();
      const chunks = events(SAMPLE_A_TEXT)
        .slice(0, 12)
        .flatMap((e) => stream.push(e));
      expect(assembleChatStream(chunks).content).toBe('Hello! How can I help?');
      expect(chunks.some((c) => c.choices[0].finish_reason !== null)).toBe(false);
      expect(stream.finished).toBe(false);
      expect(stream.started).toBe(true);
      const error = caught(() => stream.end());
      expect(error.failure).toBe('ended_early');
      expect(error.message).toBe('stream closed before response.completed');
    });

    it('throws response.failed with its code and message, before any chunk', () => {
      const stream = translator.createStream();
      expect(stream.push(created())).toEqual([]);
      const error = caught(() => stream.push(events(SAMPLE_FAILED)[0]));
      expect(error).toMatchObject({
        failure: 'failed',
        code: 'rate_limit_exceeded',
        message: 'Rate limit reached for gpt-5.1-codex. Please try again in 11.054s.',
      });
      expect(error.status).toBeUndefined();
      expect(stream.started).toBe(false);
      expect(stream.push(textDelta(0, 'late'))).toEqual([]);
    });

    it('throws the Responses spec error event after content has started', () => {
      const stream = translator.createStream();
      stream.push(created());
      expect(stream.push(textDelta(0, 'Hi'))).toHaveLength(1);
      const error = caught(() => stream.push(specError()));
      expect(error).toMatchObject({
        failure: 'error',
        code: 'server_error',
        message: 'The server had an error while processing your request.',
        param: null,
      });
      expect(stream.started).toBe(true);
      expect(stream.finished).toBe(false);
    });

    it.each(['status_code', 'status'] as const)('reads the Codex wrapped error event with %s', (key) => {
      const stream = translator.createStream();
      const error = caught(() => stream.push(codexWrappedError(key)));
      expect(error).toMatchObject({
        failure: 'error',
        status: 429,
        code: 'usage_limit_reached',
        type: 'usage_limit_reached',
        message: 'The usage limit has been reached',
      });
      expect(error.headers['x-codex-primary-reset-after-seconds']).toBe('13872');
      expect(error.event).toMatchObject({ type: 'error', error: { resets_at: 1777936568 } });
    });
  });

  it('ignores events after the end', () => {
    const stream = new ResponsesToChatStream();
    stream.push(created());
    stream.push(completed());
    expect(stream.push(textDelta(0, 'after'))).toEqual([]);
    expect(stream.push(completed())).toEqual([]);
  });
});
