import type { ResponseLifecycleEvent, ResponsesItem } from '../protocol/openai-responses';
import {
  codexWrappedError,
  completed,
  created,
  functionCall,
  incomplete,
  itemDone,
  message,
  response,
  specError,
  textDelta,
} from './fixtures/responses-events';
import { SAMPLE_A_TEXT, SAMPLE_B_FUNCTION_CALL, SAMPLE_FAILED, events } from './fixtures/responses-samples';
import { ResponsesAccumulator, fillResponseOutput } from './responses-accumulator';
import { ResponsesStreamError } from './responses-stream-error';

function caught(fn: () => unknown): ResponsesStreamError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ResponsesStreamError);
    return error as ResponsesStreamError;
  }
  throw new Error('expected a ResponsesStreamError');
}

const SAMPLE_A_REASONING = {
  id: 'rs_68a1f0c3aa01',
  type: 'reasoning',
  summary: [{ type: 'summary_text', text: '**Answering a greeting**' }],
  encrypted_content: 'gAAAAABo_fake_opaque_blob',
};
const SAMPLE_A_MESSAGE = {
  id: 'msg_68a1f0c4bb02',
  type: 'message',
  status: 'completed',
  role: 'assistant',
  content: [{ type: 'output_text', annotations: [], logprobs: [], text: 'Hello! How can I help?' }],
};

describe('ResponsesAccumulator', () => {
  it('rebuilds the empty output of Sample A from output_item.done, in output_index order', () => {
    const accumulator = new ResponsesAccumulator();
    for (const event of events(SAMPLE_A_TEXT)) accumulator.push(event);
    expect(accumulator.finished).toBe(true);
    const result = accumulator.completedResponse();
    expect(result.output).toEqual([SAMPLE_A_REASONING, SAMPLE_A_MESSAGE]);
    expect(result).toMatchObject({
      id: 'resp_68a1f0c2d4e8',
      status: 'completed',
      model: 'gpt-5.1-codex',
      created_at: 1767225600,
      usage: { input_tokens: 3120, output_tokens: 42, input_tokens_details: { cached_tokens: 2944 } },
    });
  });

  it('returns the completed event with output filled, and every other event unchanged', () => {
    const accumulator = new ResponsesAccumulator();
    const input = events(SAMPLE_A_TEXT);
    const forwarded = input.map((event) => accumulator.push(event));
    expect(forwarded.slice(0, -1)).toEqual(input.slice(0, -1));
    const last = forwarded[forwarded.length - 1] as ResponseLifecycleEvent;
    expect(last.type).toBe('response.completed');
    expect(last.sequence_number).toBe(15);
    expect(last.response.output).toEqual([SAMPLE_A_REASONING, SAMPLE_A_MESSAGE]);
    // The input event is not mutated.
    expect((input[input.length - 1] as ResponseLifecycleEvent).response.output).toEqual([]);
  });

  it('sorts items that finish out of order', () => {
    const accumulator = new ResponsesAccumulator();
    [created(), itemDone(1, message('msg_b', 'second')), itemDone(0, message('msg_a', 'first')), completed()].forEach((e) =>
      accumulator.push(e),
    );
    expect(accumulator.completedResponse().output.map((item) => item.id)).toEqual(['msg_a', 'msg_b']);
  });

  it("keeps Sample B's completed output as it is", () => {
    const accumulator = new ResponsesAccumulator();
    const input = events(SAMPLE_B_FUNCTION_CALL);
    const forwarded = input.map((event) => accumulator.push(event));
    expect(forwarded[forwarded.length - 1]).toBe(input[input.length - 1]);
    expect(accumulator.completedResponse().output).toEqual([
      { id: 'fc_77b2a1', type: 'function_call', status: 'completed', name: 'shell', call_id: 'call_Q1xY9z', arguments: '{"command":["ls","-la"]}' },
    ]);
  });

  it('adds the streamed items a completed output is missing, keeping items only it has', () => {
    const accumulator = new ResponsesAccumulator();
    const onlyInCompleted: ResponsesItem = { id: 'ws_9', type: 'web_search_call', status: 'completed' };
    accumulator.push(itemDone(0, functionCall('fc_1', 'call_1', 'a', '{}')));
    accumulator.push(itemDone(1, functionCall('fc_2', 'call_2', 'b', '{}')));
    accumulator.push(itemDone(2, message('msg_3', 'text')));
    accumulator.push(completed({ output: [functionCall('fc_2', 'call_2', 'b', '{}'), onlyInCompleted] }));
    expect(accumulator.completedResponse().output.map((item) => item.id)).toEqual(['fc_1', 'fc_2', 'msg_3', 'ws_9']);
  });

  it('answers an incomplete response as it is, with its output filled', () => {
    const accumulator = new ResponsesAccumulator();
    [created(), textDelta(0, 'cut'), itemDone(0, message('msg_0', 'cut')), incomplete('max_output_tokens')].forEach((e) =>
      accumulator.push(e),
    );
    const result = accumulator.completedResponse();
    expect(result.status).toBe('incomplete');
    expect(result.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(result.output).toEqual([message('msg_0', 'cut')]);
  });

  describe('failures', () => {
    it('throws response.failed from completedResponse, and exposes it', () => {
      const accumulator = new ResponsesAccumulator();
      const failed = events(SAMPLE_FAILED)[0];
      expect(accumulator.push(created())).toEqual(created());
      expect(accumulator.push(failed)).toBe(failed);
      expect(accumulator.finished).toBe(false);
      expect(accumulator.error).toMatchObject({ failure: 'failed', code: 'rate_limit_exceeded' });
      const error = caught(() => accumulator.completedResponse());
      expect(error.message).toBe('Rate limit reached for gpt-5.1-codex. Please try again in 11.054s.');
    });

    it('throws the Codex wrapped error event with its status', () => {
      const accumulator = new ResponsesAccumulator();
      accumulator.push(created());
      accumulator.push(codexWrappedError());
      expect(caught(() => accumulator.completedResponse())).toMatchObject({ failure: 'error', status: 429, code: 'usage_limit_reached' });
    });

    it('throws the spec error event with its code', () => {
      const accumulator = new ResponsesAccumulator();
      accumulator.push(specError());
      expect(caught(() => accumulator.completedResponse())).toMatchObject({ failure: 'error', code: 'server_error', status: undefined });
    });

    it('throws ended_early when the stream stops before response.completed', () => {
      const accumulator = new ResponsesAccumulator();
      for (const event of events(SAMPLE_A_TEXT).slice(0, 15)) accumulator.push(event);
      expect(accumulator.items).toHaveLength(2);
      expect(accumulator.finished).toBe(false);
      expect(caught(() => accumulator.completedResponse())).toMatchObject({
        failure: 'ended_early',
        message: 'stream closed before response.completed',
      });
    });
  });

  it('ignores events after the terminal one', () => {
    const accumulator = new ResponsesAccumulator();
    accumulator.push(completed());
    accumulator.push(itemDone(0, message('msg_late', 'late')));
    accumulator.push(specError());
    expect(accumulator.completedResponse().output).toEqual([]);
    expect(accumulator.error).toBeUndefined();
  });
});

describe('fillResponseOutput', () => {
  it('fills an empty output and leaves a full one untouched', () => {
    const items = new Map<number, ResponsesItem>([
      [1, message('msg_1', 'b')],
      [0, message('msg_0', 'a')],
    ]);
    expect(fillResponseOutput(response(), items).output).toEqual([message('msg_0', 'a'), message('msg_1', 'b')]);
    const full = response({ output: [message('x', '1'), message('y', '2')] });
    expect(fillResponseOutput(full, items)).toBe(full);
  });

  it('sets output when the response has none', () => {
    const bare = { ...response(), output: undefined } as unknown as ReturnType<typeof response>;
    expect(fillResponseOutput(bare, new Map()).output).toEqual([]);
  });
});
