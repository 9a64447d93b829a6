// codexEventStream: metadata dropped, opening events held until real output, failures thrown
// before anything is yielded, and an early end reported as an error.
import { UpstreamError } from '../../upstream/upstream-error';
import { codexEventStream, type RawCodexEvent } from './codex-event-stream';

function raw(...events: object[]): AsyncIterable<RawCodexEvent> {
  return (async function* () {
    for (const json of events) yield { data: JSON.stringify(json), json: json as Record<string, unknown> };
  })();
}

const created = { type: 'response.created', sequence_number: 0, response: { id: 'resp_1', status: 'in_progress', output: [] } };
const inProgress = { type: 'response.in_progress', sequence_number: 1, response: { id: 'resp_1' } };
const delta = { type: 'response.output_text.delta', sequence_number: 2, item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'Hi', logprobs: [] };
const completed = { type: 'response.completed', sequence_number: 3, response: { id: 'resp_1', status: 'completed', output: [] } };

async function collect(source: AsyncIterable<RawCodexEvent>, onRateLimits?: (frame: Record<string, unknown>) => void) {
  const seen: string[] = [];
  try {
    for await (const event of codexEventStream(source, { instance: 'codex', onRateLimits })) seen.push(event.event!);
    return { seen, error: undefined };
  } catch (error) {
    return { seen, error: error as UpstreamError };
  }
}

describe('codexEventStream', () => {
  it('passes a complete response through, with the event name and the original JSON text', async () => {
    const out = [];
    for await (const event of codexEventStream(raw(created, inProgress, delta, completed), { instance: 'codex' })) out.push(event);
    expect(out.map((e) => e.event)).toEqual(['response.created', 'response.in_progress', 'response.output_text.delta', 'response.completed']);
    expect(out[2].data).toBe(JSON.stringify(delta));
    expect(out[2].json).toEqual(delta);
  });

  it('stops at response.completed even if more follows', async () => {
    expect((await collect(raw(created, delta, completed, delta))).seen).toEqual(['response.created', 'response.output_text.delta', 'response.completed']);
  });

  it('drops metadata frames and hands rate-limit frames to the hook', async () => {
    const frames: Record<string, unknown>[] = [];
    const limits = { type: 'codex.rate_limits', plan_type: 'plus', rate_limits: { primary: { used_percent: 12.5 } } };
    const { seen } = await collect(raw({ type: 'codex.response.metadata', metadata: {} }, limits, { type: 'response.metadata', headers: {} }, created, delta, completed), (f) =>
      frames.push(f),
    );
    expect(seen).toEqual(['response.created', 'response.output_text.delta', 'response.completed']);
    expect(frames).toEqual([limits]);
  });

  it('throws a response.failed before yielding anything, so the client can get an HTTP error', async () => {
    const failed = { type: 'response.failed', response: { id: 'resp_1', status: 'failed', error: { code: 'context_length_exceeded', message: 'too long' } } };
    const { seen, error } = await collect(raw(created, inProgress, failed));
    expect(seen).toEqual([]);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ failure: 'stream', status: 400, upstreamCode: 'context_length_exceeded' });
  });

  it('throws an error event after output has started, keeping what was yielded', async () => {
    const { seen, error } = await collect(raw(created, delta, { type: 'error', status: 429, error: { type: 'usage_limit_reached', message: 'limit' } }));
    expect(seen).toEqual(['response.created', 'response.output_text.delta']);
    expect(error).toMatchObject({ status: 429, upstreamCode: 'usage_limit_reached' });
  });

  it('reports an end before response.completed as an error, never as success', async () => {
    const { seen, error } = await collect(raw(created, delta));
    expect(seen).toEqual(['response.created', 'response.output_text.delta']);
    expect(error?.message).toMatch(/closed the stream before response\.completed/);
  });

  it('renames a legacy response.done to response.completed', async () => {
    const out = [];
    for await (const event of codexEventStream(raw(created, delta, { ...completed, type: 'response.done' }), { instance: 'codex' })) out.push(event);
    expect(out[2].event).toBe('response.completed');
    expect(JSON.parse(out[2].data).type).toBe('response.completed');
  });

  it('ends cleanly on response.incomplete', async () => {
    const incomplete = { type: 'response.incomplete', response: { id: 'resp_1', status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } } };
    expect(await collect(raw(created, delta, incomplete))).toEqual({ seen: ['response.created', 'response.output_text.delta', 'response.incomplete'], error: undefined });
  });
});
