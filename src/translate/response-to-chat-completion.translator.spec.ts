import type { ResponseObject, ResponsesStreamEvent } from '../protocol/openai-responses';
import { assembleChatStream } from './fixtures/assemble-chat-stream';
import { functionCall, message, response } from './fixtures/responses-events';
import { SAMPLE_A_TEXT, SAMPLE_B_FUNCTION_CALL, events } from './fixtures/responses-samples';
import { ResponseToChatCompletionTranslator } from './response-to-chat-completion.translator';
import { ResponsesAccumulator } from './responses-accumulator';
import { ResponsesToChatStreamTranslator } from './responses-to-chat-stream.translator';

const translator = new ResponseToChatCompletionTranslator();

function accumulate(input: ResponsesStreamEvent[]): ResponseObject {
  const accumulator = new ResponsesAccumulator();
  for (const event of input) accumulator.push(event);
  return accumulator.completedResponse();
}

describe('ResponseToChatCompletionTranslator', () => {
  it('answers Sample A with text, reasoning_content, stop and usage', () => {
    expect(translator.translate(accumulate(events(SAMPLE_A_TEXT)))).toEqual({
      id: 'chatcmpl-resp_68a1f0c2d4e8',
      object: 'chat.completion',
      created: 1767225600,
      model: 'gpt-5.1-codex',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Hello! How can I help?',
            refusal: null,
            reasoning_content: '**Answering a greeting**',
          },
          finish_reason: 'stop',
          logprobs: null,
        },
      ],
      usage: {
        prompt_tokens: 3120,
        completion_tokens: 42,
        total_tokens: 3162,
        prompt_tokens_details: { cached_tokens: 2944 },
        completion_tokens_details: { reasoning_tokens: 24 },
      },
      system_fingerprint: null,
    });
  });

  it('answers Sample B with tool_calls keyed by call_id and null content', () => {
    const completion = translator.translate(accumulate(events(SAMPLE_B_FUNCTION_CALL)));
    expect(completion.choices[0].message).toEqual({
      role: 'assistant',
      content: null,
      refusal: null,
      tool_calls: [{ id: 'call_Q1xY9z', type: 'function', function: { name: 'shell', arguments: '{"command":["ls","-la"]}' } }],
    });
    expect(completion.choices[0].finish_reason).toBe('tool_calls');
    expect(completion.usage).toMatchObject({ prompt_tokens: 2890, completion_tokens: 31, total_tokens: 2921 });
  });

  it('keeps text alongside parallel tool calls, in output order', () => {
    const completion = translator.translate(
      response({
        status: 'completed',
        output: [message('msg_0', 'Checking both.'), functionCall('fc_a', 'call_A', 'a', '{"x":1}'), functionCall('fc_b', 'call_B', 'b', '{}')],
      }),
    );
    expect(completion.choices[0].message.content).toBe('Checking both.');
    expect(completion.choices[0].message.tool_calls?.map((c) => c.id)).toEqual(['call_A', 'call_B']);
    expect(completion.choices[0].finish_reason).toBe('tool_calls');
  });

  it('joins the text of several messages and separates reasoning summaries with a blank line', () => {
    const completion = translator.translate(
      response({
        status: 'completed',
        output: [
          { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'one' }, { type: 'summary_text', text: 'two' }] },
          message('msg_1', 'Hello'),
          message('msg_2', ' there'),
        ],
      }),
    );
    expect(completion.choices[0].message.content).toBe('Hello there');
    expect(completion.choices[0].message.reasoning_content).toBe('one\n\ntwo');
  });

  it.each([
    ['max_output_tokens', 'length'],
    ['content_filter', 'content_filter'],
  ])('maps an incomplete response (%s) to finish_reason %s', (reason, finish) => {
    const completion = translator.translate(
      response({ status: 'incomplete', incomplete_details: { reason }, output: [message('m', 'cut')] }),
    );
    expect(completion.choices[0].finish_reason).toBe(finish);
    expect(completion.choices[0].message.content).toBe('cut');
  });

  it('counts zero usage when the response has none, and carries a refusal', () => {
    const completion = translator.translate(
      response({ status: 'completed', output: [{ type: 'message', role: 'assistant', content: [{ type: 'refusal', refusal: 'No.' }] }] }),
    );
    expect(completion.usage).toEqual({
      prompt_tokens: 0,
      completion_tokens: 0,
      total_tokens: 0,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
    });
    expect(completion.choices[0].message.refusal).toBe('No.');
    expect(completion.choices[0].message.content).toBe('');
  });

  it.each([
    ['Sample A', SAMPLE_A_TEXT],
    ['Sample B', SAMPLE_B_FUNCTION_CALL],
  ])('gives a non-stream client of %s what a streaming client assembles', (_name, sample) => {
    const message = translator.translate(accumulate(events(sample))).choices[0].message;
    const stream = new ResponsesToChatStreamTranslator().createStream();
    const streamed = assembleChatStream(events(sample).flatMap((event) => stream.push(event)));
    expect(streamed.content).toBe(message.content);
    expect(streamed.reasoning ?? undefined).toBe(message.reasoning_content);
    expect(streamed.toolCalls).toEqual(
      (message.tool_calls ?? []).map((call) => ({ id: call.id, type: call.type, name: call.function.name, arguments: call.function.arguments })),
    );
  });
});
