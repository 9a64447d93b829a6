import type { ChatChunkDelta, ChatCompletionChunk, ChatUsage } from '../protocol/openai-chat';
import type { ResponsesStreamEvent } from '../protocol/openai-responses';
import { ChatStreamError } from './chat-stream-error';
import type { ChatStreamPayload } from './chat-to-messages-stream.translator';
import { ChatToResponsesStreamTranslator, type ResponsesStreamOptions } from './chat-to-responses-stream.translator';
import { ERROR_SSE, CUT_SSE, REASONING_TEXT_SSE, SAMPLE_TOOL_CALL_SSE, TEXT_SSE, TEXT_TWO_TOOLS_SSE, chatChunks } from './fixtures/chat-stream-samples';
import { readResponsesWithSdk } from './fixtures/responses-stream-check';
import { responsesToolNames } from './responses-chat-tools';

const translator = new ChatToResponsesStreamTranslator();

/** Every event the payloads produce, finish() included. */
function translate(payloads: ChatStreamPayload[], options: ResponsesStreamOptions = { model: 'client-model' }): ResponsesStreamEvent[] {
  const stream = translator.createStream(options);
  return [...payloads.flatMap((payload) => stream.push(payload)), ...stream.finish()];
}

function chunk(delta: ChatChunkDelta, finish_reason: string | null = null, usage?: ChatUsage): ChatCompletionChunk {
  return {
    id: 'chatcmpl-X9',
    object: 'chat.completion.chunk',
    created: 1767230000,
    model: 'upstream-model',
    choices: [{ index: 0, delta, finish_reason: finish_reason as ChatCompletionChunk['choices'][number]['finish_reason'] }],
    ...(usage ? { usage } : {}),
  };
}

function usageChunk(usage: ChatUsage): ChatCompletionChunk {
  return { id: 'chatcmpl-X9', object: 'chat.completion.chunk', created: 1767230000, model: 'upstream-model', choices: [], usage };
}

const types = (events: ResponsesStreamEvent[]) => events.map((e) => e.type);

describe('ChatToResponsesStreamTranslator', () => {
  describe('read by the official openai SDK', () => {
    it('streams a text answer: the event order the SDK needs, the text, usage with cached tokens', async () => {
      const events = translate(chatChunks(TEXT_SSE));
      expect(types(events)).toEqual([
        'response.created',
        'response.in_progress',
        'response.output_item.added',
        'response.content_part.added',
        'response.output_text.delta',
        'response.output_text.delta',
        'response.output_text.done',
        'response.content_part.done',
        'response.output_item.done',
        'response.completed',
      ]);
      const sdk = await readResponsesWithSdk(events);
      expect(sdk.text).toBe('Hello! How can I help?');
      expect(sdk.response.output_text).toBe('Hello! How can I help?');
      expect(sdk.response).toMatchObject({
        id: 'resp_A1',
        object: 'response',
        status: 'completed',
        model: 'client-model',
        created_at: 1767225600,
        usage: { input_tokens: 3120, input_tokens_details: { cached_tokens: 2944 }, output_tokens: 12, total_tokens: 3132 },
      });
      expect(sdk.response.output).toMatchObject([
        { id: 'msg_A1_0', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hello! How can I help?', annotations: [], logprobs: [] }] },
      ]);
      expect(sdk.events.map((e) => e.type)).toEqual(types(events));
    });

    it('streams text then two parallel tool calls, each its own function_call item in chat index order', async () => {
      const events = translate(chatChunks(TEXT_TWO_TOOLS_SSE));
      const sdk = await readResponsesWithSdk(events);
      expect(sdk.response.output).toMatchObject([
        expect.objectContaining({ type: 'message', content: [expect.objectContaining({ text: 'Checking both cities.' })] }),
        { id: 'fc_T2_1', type: 'function_call', call_id: 'call_paris', name: 'get_weather', arguments: '{"city": "Paris"}', status: 'completed' },
        { id: 'fc_T2_2', type: 'function_call', call_id: 'call_tokyo', name: 'get_weather', arguments: '{"city": "Tokyo"}', status: 'completed' },
      ]);
      // The SDK's own snapshots of the arguments as they grew.
      expect(sdk.argumentSnapshots).toEqual(['{"city": "Par', '{"city": "Paris"}', '{"city": ', '{"city": "Tokyo"}']);
      expect(sdk.response.usage).toMatchObject({ input_tokens: 412, input_tokens_details: { cached_tokens: 380 }, output_tokens: 48 });
      // The message ends before the first call's item opens; the calls end when the answer does.
      const itemEvents = events.filter((e) => e.type.startsWith('response.output_item')).map((e) => `${e.type.slice(21)}:${String(e.output_index)}`);
      expect(itemEvents).toEqual(['added:0', 'done:0', 'added:1', 'added:2', 'done:1', 'done:2']);
    });

    it('streams a single tool call (§4.1 sample) with the done event naming the function', async () => {
      const events = translate(chatChunks(SAMPLE_TOOL_CALL_SSE));
      expect(events.find((e) => e.type === 'response.function_call_arguments.done')).toMatchObject({
        item_id: 'fc_9f_0',
        output_index: 0,
        name: 'shell',
        arguments: '{"command":["ls","-la"]}',
      });
      const sdk = await readResponsesWithSdk(events);
      expect(sdk.response.output).toMatchObject([
        { id: 'fc_9f_0', type: 'function_call', call_id: 'call_Q1xY9z', name: 'shell', arguments: '{"command":["ls","-la"]}', status: 'completed' },
      ]);
    });

    it('streams reasoning as a reasoning item with one summary part, before the message', async () => {
      const events = translate(chatChunks(REASONING_TEXT_SSE));
      expect(types(events).slice(2, 9)).toEqual([
        'response.output_item.added',
        'response.reasoning_summary_part.added',
        'response.reasoning_summary_text.delta',
        'response.reasoning_summary_text.delta',
        'response.reasoning_summary_text.done',
        'response.reasoning_summary_part.done',
        'response.output_item.done',
      ]);
      const sdk = await readResponsesWithSdk(events);
      expect(sdk.response.output).toMatchObject([
        { id: 'rs_b2c3_0', type: 'reasoning', status: 'completed', summary: [{ type: 'summary_text', text: 'The user greets me. Answer briefly.' }] },
        expect.objectContaining({ id: 'msg_b2c3_1', type: 'message', content: [expect.objectContaining({ type: 'output_text', text: 'Hi there!' })] }),
      ]);
      expect(sdk.response.usage).toMatchObject({ output_tokens: 27, output_tokens_details: { reasoning_tokens: 21 } });
    });

    it('streams a refusal as a refusal part of the message', async () => {
      const events = translate([
        chunk({ role: 'assistant', content: '', refusal: null }),
        chunk({ refusal: "I can't help" }),
        chunk({ refusal: ' with that.' }),
        chunk({}, 'stop'),
        usageChunk({ prompt_tokens: 9, completion_tokens: 5, total_tokens: 14 }),
      ]);
      expect(types(events)).toContain('response.refusal.delta');
      expect(events.find((e) => e.type === 'response.refusal.done')).toMatchObject({ refusal: "I can't help with that.", content_index: 0 });
      const sdk = await readResponsesWithSdk(events);
      expect(sdk.response.status).toBe('completed');
      expect(sdk.response.output).toMatchObject([
        { type: 'message', content: [{ type: 'refusal', refusal: "I can't help with that." }] },
      ]);
    });

    it('ends an answer cut by the token limit with response.incomplete (reason max_output_tokens), output kept', async () => {
      const events = translate([chunk({ role: 'assistant', content: 'The answer is' }), chunk({ content: ' forty' }, 'length'), usageChunk({ prompt_tokens: 20, completion_tokens: 3, total_tokens: 23 })]);
      expect(events.at(-1)?.type).toBe('response.incomplete');
      const sdk = await readResponsesWithSdk(events);
      expect(sdk.response).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, output_text: 'The answer is forty' });
    });

    it('ends a filtered answer with response.incomplete (reason content_filter)', async () => {
      const events = translate([chunk({ role: 'assistant', content: 'Partial' }, 'content_filter')]);
      const sdk = await readResponsesWithSdk(events);
      expect(sdk.response).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'content_filter' } });
    });

    it('turns a flattened custom tool call back into a custom_tool_call with its plain-text input', async () => {
      const tools = responsesToolNames({ input: [], tools: [{ type: 'custom', name: 'apply_patch' }] });
      const patch = '*** Begin Patch\n*** End Patch';
      const args = JSON.stringify({ input: patch });
      const events = translate(
        [
          chunk({ role: 'assistant', tool_calls: [{ index: 0, id: 'call_p1', type: 'function', function: { name: 'apply_patch', arguments: args.slice(0, 10) } }] }),
          chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(10) } }] }),
          chunk({}, 'tool_calls'),
        ],
        { model: 'client-model', tools },
      );
      expect(types(events)).not.toContain('response.function_call_arguments.delta');
      expect(events.find((e) => e.type === 'response.custom_tool_call_input.done')).toMatchObject({ input: patch });
      const sdk = await readResponsesWithSdk(events);
      expect(sdk.response.output).toMatchObject([{ id: 'ctc_X9_0', type: 'custom_tool_call', call_id: 'call_p1', name: 'apply_patch', input: patch, status: 'completed' }]);
    });

    it('turns a flattened namespace function back into its name and namespace', async () => {
      const tools = responsesToolNames({ input: [], tools: [{ type: 'namespace', name: 'crm', tools: [{ type: 'function', name: 'lookup' }] }] });
      const events = translate(
        [chunk({ role: 'assistant', tool_calls: [{ index: 0, id: 'call_c', type: 'function', function: { name: 'crm__lookup', arguments: '{}' } }] }), chunk({}, 'tool_calls')],
        { model: 'client-model', tools },
      );
      const sdk = await readResponsesWithSdk(events);
      expect(sdk.response.output).toMatchObject([expect.objectContaining({ type: 'function_call', name: 'lookup', namespace: 'crm', call_id: 'call_c' })]);
    });
  });

  describe('when events go out', () => {
    it('produces nothing before the first chunk, so a failure before it can still be an HTTP error', () => {
      const stream = translator.createStream({ model: 'm' });
      expect(stream.started).toBe(false);
      expect(stream.lastSequence).toBe(-1);
      expect(() => stream.finish()).toThrow(ChatStreamError);
    });

    it('numbers every event from 0 and reports the last number', () => {
      const stream = translator.createStream({ model: 'm' });
      const events = chatChunks(TEXT_SSE).flatMap((payload) => stream.push(payload));
      expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
      expect(stream.lastSequence).toBe(events.length - 1);
      expect(stream.started).toBe(true);
    });

    it('completes on the usage chunk after the finish chunk, and finish() then adds nothing', () => {
      const stream = translator.createStream({ model: 'm' });
      const payloads = chatChunks(TEXT_SSE);
      const beforeUsage = payloads.slice(0, -1).flatMap((payload) => stream.push(payload));
      expect(types(beforeUsage)).not.toContain('response.completed');
      expect(types(stream.push(payloads.at(-1)!))).toEqual(['response.completed']);
      expect(stream.finish()).toEqual([]);
    });

    it('completes at finish() when the upstream sent no usage chunk, with usage counted as zero', () => {
      const events = translate([chunk({ role: 'assistant', content: 'ok' }, 'stop')]);
      expect(events.at(-1)).toMatchObject({ type: 'response.completed', response: { usage: { input_tokens: 0, output_tokens: 0, total_tokens: 0 } } });
    });

    it('takes usage sent on the finish chunk itself', () => {
      const events = translate([chunk({ role: 'assistant', content: 'ok' }, 'stop', { prompt_tokens: 7, completion_tokens: 1, total_tokens: 8 })]);
      expect(events.at(-1)).toMatchObject({ response: { usage: { input_tokens: 7, output_tokens: 1, total_tokens: 8 } } });
    });

    it('announces a tool call only once its name arrives, with the arguments that came before', async () => {
      const events = translate([
        chunk({ role: 'assistant', tool_calls: [{ index: 0, id: 'call_late', function: { arguments: '{"a":' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { name: 'f', arguments: '1}' } }] }),
        chunk({}, 'tool_calls'),
      ]);
      const sdk = await readResponsesWithSdk(events);
      expect(sdk.response.output).toMatchObject([expect.objectContaining({ type: 'function_call', call_id: 'call_late', name: 'f', arguments: '{"a":1}' })]);
    });

    it('opens a new message item for text that follows a tool call', async () => {
      const events = translate([
        chunk({ role: 'assistant', tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }] }),
        chunk({ content: 'Done.' }),
        chunk({}, 'stop'),
      ]);
      const sdk = await readResponsesWithSdk(events);
      expect(sdk.response.output.map((item) => item.type)).toEqual(['function_call', 'message']);
    });
  });

  describe('failures', () => {
    it('throws the upstream error chunk mid-stream as a ChatStreamError, and takes nothing after it', () => {
      const stream = translator.createStream({ model: 'm' });
      const [first, error] = chatChunks(ERROR_SSE);
      expect(types(stream.push(first))).toContain('response.output_text.delta');
      expect(() => stream.push(error)).toThrow(expect.objectContaining({ failure: 'error', type: 'server_error' }));
      expect(stream.push(chunk({ content: 'more' }))).toEqual([]);
      expect(stream.finish()).toEqual([]);
    });

    it('throws ended_early at finish() when the upstream stopped without a finish_reason', () => {
      const stream = translator.createStream({ model: 'm' });
      chatChunks(CUT_SSE).forEach((payload) => stream.push(payload));
      expect(() => stream.finish()).toThrow(expect.objectContaining({ failure: 'ended_early' }));
    });
  });
});
