// primeStream: the first event read before the response starts, failures before it thrown, and
// the wait bounded so a silent upstream's response can start anyway.
import type { SseEvent } from '../protocol/sse';
import type { UpstreamResult } from '../registry/provider-executor';
import { primeStream } from './prime-stream';

function stream(events: AsyncIterable<SseEvent>): UpstreamResult {
  return { kind: 'stream', status: 200, headers: {}, events };
}

async function* after(ms: number, ...events: string[]): AsyncGenerator<SseEvent> {
  await new Promise((r) => setTimeout(r, ms));
  for (const data of events) yield { data };
}

async function collect(result: UpstreamResult): Promise<string[]> {
  const out: string[] = [];
  if (result.kind === 'stream') for await (const event of result.events) out.push(event.data);
  return out;
}

describe('primeStream', () => {
  it('reads the first event and keeps every event in order', async () => {
    const { result, primed } = await primeStream(stream(after(0, 'a', 'b', 'c')), 1000);
    expect(primed).toBe(true);
    expect(await collect(result)).toEqual(['a', 'b', 'c']);
  });

  it('throws a failure that comes before the first event', async () => {
    const failing = (async function* (): AsyncGenerator<SseEvent> {
      throw new Error('upstream said no');
    })();
    await expect(primeStream(stream(failing), 1000)).rejects.toThrow('upstream said no');
  });

  it('gives up waiting after the bound, without losing the event that comes later', async () => {
    const started = Date.now();
    const { result, primed } = await primeStream(stream(after(200, 'late', 'later')), 50);
    expect(primed).toBe(false);
    expect(Date.now() - started).toBeLessThan(150);
    expect(await collect(result)).toEqual(['late', 'later']);
  });

  it('leaves a JSON answer as it is', async () => {
    const json: UpstreamResult = { kind: 'json', status: 200, headers: {}, raw: '{"ok":true}', parsed: () => ({ ok: true }) };
    expect(await primeStream(json, 10)).toEqual({ result: json, primed: true });
  });
});
