// UsageMeter: what a request's notes say after routing — the attempt that served it and the
// tokens of its answer, JSON or stream, in the upstream's protocol.
import type { IncomingMessage } from 'node:http';
import { requestNotes } from '../logging/request-notes';
import type { SseEvent } from '../protocol/sse';
import type { UpstreamResult } from '../contract/provider-executor';
import type { RouteTarget } from '../routing/request-router.service';
import { readJsonAnswer } from '../upstream/json-answer';
import { UsageMeter } from './usage-meter';

function target(instance: string, upstreamModel: string): RouteTarget {
  return { instance: { name: instance }, upstreamModel, model: upstreamModel } as unknown as RouteTarget;
}

describe('UsageMeter', () => {
  it('notes the last attempt: its instance, model served, credential label and count', () => {
    const request = {} as IncomingMessage;
    const meter = new UsageMeter(request);
    meter.attempt(target('openai', 'gpt-5'), 'api_keys[0]', 1);
    meter.attempt(target('backup', 'gpt-5-mini'), 'account:work', 2);
    expect(requestNotes(request)).toMatchObject({ instance: 'backup', modelServed: 'gpt-5-mini', credential: 'account:work', attempts: 2 });
  });

  it('notes no credential for an instance that has none', () => {
    const request = {} as IncomingMessage;
    new UsageMeter(request).attempt(target('local', 'llama'), 'none', 1);
    expect(requestNotes(request)?.credential).toBeUndefined();
  });

  it('counts a JSON answer when it arrives', () => {
    const request = {} as IncomingMessage;
    const meter = new UsageMeter(request);
    const answer = readJsonAnswer('{"type":"message","usage":{"input_tokens":3,"cache_read_input_tokens":10,"output_tokens":4}}', 'claude');
    const result: UpstreamResult = { kind: 'json', status: 200, headers: {}, ...answer };
    expect(meter.answer('anthropic-messages', result)).toBeUndefined();
    expect(requestNotes(request)?.tokens).toEqual({ input: 13, output: 4, cached: 10, reasoning: 0 });
  });

  it('counts a stream from the events its reader parsed, and leaves unparsed ones alone', () => {
    const request = {} as IncomingMessage;
    const meter = new UsageMeter(request);
    const result: UpstreamResult = { kind: 'stream', status: 200, headers: {}, events: (async function* () {})() };
    const observe = meter.answer('openai-responses', result)!;
    const usage = { input_tokens: 7, output_tokens: 2, total_tokens: 9, output_tokens_details: { reasoning_tokens: 1 } };
    const completed = { type: 'response.completed', response: { usage } };
    // Not parsed by its reader: not parsed here either, so it counts nothing.
    observe({ data: JSON.stringify(completed) });
    expect(requestNotes(request)?.tokens).toEqual({ input: 0, output: 0, cached: 0, reasoning: 0 });
    const event: SseEvent = { data: JSON.stringify(completed), json: completed };
    observe(event);
    expect(requestNotes(request)?.tokens).toEqual({ input: 7, output: 2, cached: 0, reasoning: 1 });
  });
});
