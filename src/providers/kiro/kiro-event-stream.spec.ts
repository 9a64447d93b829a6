import { eventStreamCodec } from '../../protocol/event-stream-decoder';
import type { SseEvent } from '../../protocol/sse';
import { UpstreamError } from '../../upstream/upstream-error';
import { kiroEventStream } from './kiro-event-stream';

const codec = eventStreamCodec();

function frame(headers: Record<string, string>, payload: string): Uint8Array {
  return codec.encode({
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, { type: 'string' as const, value: v }])),
    body: Buffer.from(payload),
  });
}
const event = (type: string, payload: object) => frame({ ':message-type': 'event', ':event-type': type, ':content-type': 'application/json' }, JSON.stringify(payload));

async function* chunksOf(...parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield part;
}

async function read(...parts: Uint8Array[]): Promise<{ events: SseEvent[]; error?: unknown }> {
  const events: SseEvent[] = [];
  try {
    for await (const e of kiroEventStream(chunksOf(...parts), 'kiro', 'secret-token')) events.push(e);
    return { events };
  } catch (error) {
    return { events, error };
  }
}

describe('kiroEventStream', () => {
  it('carries each event frame as its payload under its event type, nested payloads unwrapped, UI events dropped', async () => {
    const { events, error } = await read(
      Buffer.concat([
        event('assistantResponseEvent', { content: 'Hi' }),
        event('followupPromptEvent', { followupPrompt: { content: 'ask more?' } }),
        event('toolUseEvent', { toolUseEvent: { name: 'f', toolUseId: 't', input: '{}', stop: true } }),
      ]),
    );
    expect(error).toBeUndefined();
    expect(events.map((e) => [e.event, e.json])).toEqual([
      ['assistantResponseEvent', { assistantResponseEvent: { content: 'Hi' } }],
      ['toolUseEvent', { toolUseEvent: { name: 'f', toolUseId: 't', input: '{}', stop: true } }],
    ]);
  });

  it('ends with the upstream\'s error on an exception frame, after the events before it (a throttle is a 429)', async () => {
    const { events, error } = await read(
      Buffer.concat([event('assistantResponseEvent', { content: 'Hi' }), frame({ ':message-type': 'exception', ':exception-type': 'ThrottlingException' }, '{"message":"Too many requests"}')]),
    );
    expect(events).toHaveLength(1);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ failure: 'stream', status: 429, upstreamType: 'ThrottlingException', upstreamMessage: 'Too many requests' });
  });

  it('reads an AWS error payload inside an event frame as an error', async () => {
    const { error } = await read(event('assistantResponseEvent', { __type: 'com.amazon.aws.codewhisperer#ValidationException', message: 'Improperly formed request' }));
    expect(error).toMatchObject({ failure: 'stream', status: 400, upstreamType: 'ValidationException', message: expect.stringContaining('Improperly formed request') });
  });

  it('turns a broken frame or a cut stream into a protocol failure, never a crash', async () => {
    const bad = Buffer.from(event('assistantResponseEvent', { content: 'x' }));
    bad[bad.byteLength - 2] ^= 0x10;
    expect((await read(bad)).error).toMatchObject({ failure: 'protocol', message: expect.stringMatching(/broken event stream.*checksum/) });
    const whole = event('assistantResponseEvent', { content: 'x' });
    expect((await read(whole.subarray(0, 20))).error).toMatchObject({ failure: 'protocol', message: expect.stringMatching(/ended inside a frame/) });
  });
});
