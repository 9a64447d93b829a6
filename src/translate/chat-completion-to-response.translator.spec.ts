import type { ChatCompletion, ChatCompletionChunk } from '../protocol/openai-chat';
import { ChatCompletionToResponseTranslator } from './chat-completion-to-response.translator';
import { ChatToResponsesStreamTranslator } from './chat-to-responses-stream.translator';
import { assembleChatStream } from './fixtures/assemble-chat-stream';
import { REASONING_TEXT_SSE, TEXT_TWO_TOOLS_SSE, chatChunks } from './fixtures/chat-stream-samples';
import { readResponsesWithSdk } from './fixtures/responses-stream-check';
import { responsesToolNames } from './responses-chat-tools';

const translator = new ChatCompletionToResponseTranslator();

function completion(message: Partial<ChatCompletion['choices'][number]['message']>, extra: Partial<ChatCompletion> = {}, finish_reason = 'stop'): ChatCompletion {
  return {
    id: 'chatcmpl-Z7',
    object: 'chat.completion',
    created: 1767231000,
    model: 'upstream-model',
    choices: [{ index: 0, message: { role: 'assistant', content: null, ...message }, finish_reason: finish_reason as 'stop', logprobs: null }],
    usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120, prompt_tokens_details: { cached_tokens: 64 }, completion_tokens_details: { reasoning_tokens: 8 } },
    ...extra,
  };
}

describe('ChatCompletionToResponseTranslator', () => {
  it('answers text as a completed Response with a message item, the client’s model and usage', () => {
    const response = translator.translate(completion({ content: 'Hello!' }), { model: 'client-model' });
    expect(response).toEqual({
      id: 'resp_Z7',
      object: 'response',
      created_at: 1767231000,
      status: 'completed',
      incomplete_details: null,
      error: null,
      model: 'client-model',
      output: [{ id: 'msg_Z7_0', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Hello!', annotations: [], logprobs: [] }] }],
      usage: { input_tokens: 100, input_tokens_details: { cached_tokens: 64 }, output_tokens: 20, output_tokens_details: { reasoning_tokens: 8 }, total_tokens: 120 },
    });
  });

  it('puts reasoning first as a reasoning item with its summary, then the message', () => {
    const response = translator.translate(completion({ content: 'Hi', reasoning_content: 'They greet me.' }), { model: 'm' });
    expect(response.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
    expect(response.output[0]).toEqual({ id: 'rs_Z7_0', type: 'reasoning', status: 'completed', summary: [{ type: 'summary_text', text: 'They greet me.' }] });
  });

  it('answers tool calls as function_call items (no empty message), in order', () => {
    const response = translator.translate(
      completion(
        {
          tool_calls: [
            { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_b', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Tokyo"}' } },
          ],
        },
        {},
        'tool_calls',
      ),
      { model: 'm' },
    );
    expect(response.status).toBe('completed');
    expect(response.output).toEqual([
      { id: 'fc_Z7_0', type: 'function_call', call_id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}', status: 'completed' },
      { id: 'fc_Z7_1', type: 'function_call', call_id: 'call_b', name: 'get_weather', arguments: '{"city":"Tokyo"}', status: 'completed' },
    ]);
  });

  it('turns calls of flattened custom and namespace tools back into what the client declared', () => {
    const tools = responsesToolNames({
      input: [],
      tools: [{ type: 'custom', name: 'apply_patch' }, { type: 'namespace', name: 'crm', tools: [{ type: 'function', name: 'lookup' }] }],
    });
    const response = translator.translate(
      completion({
        tool_calls: [
          { id: 'call_p', type: 'function', function: { name: 'apply_patch', arguments: '{"input":"*** Begin Patch"}' } },
          { id: 'call_c', type: 'function', function: { name: 'crm__lookup', arguments: '{"id":1}' } },
        ],
      }),
      { model: 'm', tools },
    );
    expect(response.output).toEqual([
      { id: 'ctc_Z7_0', type: 'custom_tool_call', call_id: 'call_p', name: 'apply_patch', input: '*** Begin Patch', status: 'completed' },
      { id: 'fc_Z7_1', type: 'function_call', call_id: 'call_c', name: 'lookup', namespace: 'crm', arguments: '{"id":1}', status: 'completed' },
    ]);
  });

  it('answers a refusal as a refusal part', () => {
    const response = translator.translate(completion({ content: null, refusal: 'I cannot help with that.' }), { model: 'm' });
    expect(response.output).toEqual([
      { id: 'msg_Z7_0', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'refusal', refusal: 'I cannot help with that.' }] },
    ]);
  });

  it.each([
    ['length', 'max_output_tokens'],
    ['content_filter', 'content_filter'],
  ])('answers finish_reason %s as incomplete (%s)', (finishReason, reason) => {
    const response = translator.translate(completion({ content: 'cut' }, {}, finishReason), { model: 'm' });
    expect([response.status, response.incomplete_details]).toEqual(['incomplete', { reason }]);
  });

  it('answers an empty answer with an empty message, and counts missing usage as zero', () => {
    const response = translator.translate(completion({ content: '' }, { usage: undefined }), { model: 'm' });
    expect(response.output).toEqual([expect.objectContaining({ type: 'message', content: [expect.objectContaining({ text: '' })] })]);
    expect(response.usage).toMatchObject({ input_tokens: 0, output_tokens: 0, total_tokens: 0 });
  });

  it('does not wrap an id twice: chatcmpl-resp_X gives resp_X', () => {
    expect(translator.translate(completion({ content: 'x' }, { id: 'chatcmpl-resp_abc' }), { model: 'm' }).id).toBe('resp_abc');
  });

  it('refuses a completion without a choice as malformed', () => {
    expect(() => translator.translate(completion({}, { choices: [] }), { model: 'm' })).toThrow(expect.objectContaining({ failure: 'malformed' }));
  });

  it.each([
    ['reasoning then text', REASONING_TEXT_SSE],
    ['text then two parallel tool calls', TEXT_TWO_TOOLS_SSE],
  ])('gives the same Response as the stream translator read by the SDK (%s)', async (_label, sse) => {
    const chunks = chatChunks(sse) as ChatCompletionChunk[];
    const stream = new ChatToResponsesStreamTranslator().createStream({ model: 'client-model' });
    const events = [...chunks.flatMap((chunk) => stream.push(chunk)), ...stream.finish()];
    const streamed = (await readResponsesWithSdk(events)).response;

    const assembled = assembleChatStream(chunks);
    const whole: ChatCompletion = {
      id: chunks[0].id,
      object: 'chat.completion',
      created: chunks[0].created,
      model: chunks[0].model,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: assembled.content,
            ...(assembled.reasoning ? { reasoning_content: assembled.reasoning } : {}),
            ...(assembled.toolCalls.length > 0
              ? { tool_calls: assembled.toolCalls.map((c) => ({ id: c.id!, type: 'function' as const, function: { name: c.name!, arguments: c.arguments } })) }
              : {}),
          },
          finish_reason: assembled.finishReason,
          logprobs: null,
        },
      ],
      usage: assembled.usage ?? undefined,
    };
    const answered = translator.translate(whole, { model: 'client-model' });
    // The SDK adds its parse results (`parsed`, `parsed_arguments`) and output_text; the rest must agree.
    expect(streamed).toMatchObject(answered);
  });
});
