// primeStream: the first event read before the response starts, failures before it thrown, and
// the wait bounded so a silent upstream's response can start anyway.
import type { SseEvent } from '../protocol/sse';
import type { UpstreamResult } from '../contract/provider-executor';
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

  it('hands each event to the observer as it is read, the primed first one included', async () => {
    const seen: string[] = [];
    const { result } = await primeStream(stream(after(0, 'a', 'b', 'c')), 1000, undefined, (event) => seen.push(event.data));
    expect(seen).toEqual([]);
    const read: string[] = [];
    if (result.kind === 'stream') {
      for await (const event of result.events) {
        read.push(event.data);
        // The observer has seen this event before its reader gets it, and no further.
        expect(seen).toEqual(read);
      }
    }
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('throws a failure that comes before the first event', async () => {
    const failing = (async function* (): AsyncGenerator<SseEvent> {
      throw new Error('upstream said no');
    })();
    await expect(primeStream(stream(failing), 1000)).rejects.toThrow('upstream said no');
  });

  it('gives up waiting after the bound, without losing the event that comes later', async () => {
    // The upstream holds its first event until released: primeStream returns while it is still
    // held, so it gave up on the bound rather than waiting for the event.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const late = (async function* (): AsyncGenerator<SseEvent> {
      await held;
      yield { data: 'late' };
      yield { data: 'later' };
    })();
    const { result, primed } = await primeStream(stream(late), 50);
    expect(primed).toBe(false);
    release();
    expect(await collect(result)).toEqual(['late', 'later']);
  });

  it('leaves a JSON answer as it is, and counts it finished at once', async () => {
    const json: UpstreamResult = { kind: 'json', status: 200, headers: {}, raw: '{"ok":true}', parsed: () => ({ ok: true }) };
    const onEnd = jest.fn();
    expect(await primeStream(json, 10, onEnd)).toEqual({ result: json, primed: true });
    expect(onEnd).toHaveBeenCalledTimes(1);
  });

  describe('onEnd (the credential is released when the answer is finished with)', () => {
    it('is called once, when the stream has been read to its end', async () => {
      const onEnd = jest.fn();
      const { result } = await primeStream(stream(after(0, 'a', 'b')), 1000, onEnd);
      expect(onEnd).not.toHaveBeenCalled();
      expect(await collect(result)).toEqual(['a', 'b']);
      expect(onEnd).toHaveBeenCalledTimes(1);
    });

    it('is called once when the stream fails after its first event', async () => {
      const onEnd = jest.fn();
      const failing = (async function* (): AsyncGenerator<SseEvent> {
        yield { data: 'a' };
        throw new Error('cut mid-stream');
      })();
      const { result } = await primeStream(stream(failing), 1000, onEnd);
      await expect(collect(result)).rejects.toThrow('cut mid-stream');
      expect(onEnd).toHaveBeenCalledTimes(1);
    });

    it('is called once when the reader stops early, and the source is closed', async () => {
      const onEnd = jest.fn();
      let closed = false;
      const source = (async function* (): AsyncGenerator<SseEvent> {
        try {
          for (const data of ['a', 'b', 'c']) yield { data };
        } finally {
          closed = true;
        }
      })();
      const { result } = await primeStream(stream(source), 1000, onEnd);
      if (result.kind !== 'stream') throw new Error('expected a stream');
      for await (const event of result.events) if (event.data === 'b') break;
      expect(closed).toBe(true);
      expect(onEnd).toHaveBeenCalledTimes(1);
      const again = result.events[Symbol.asyncIterator]();
      expect(await again.next()).toEqual({ done: true, value: undefined });
      expect(onEnd).toHaveBeenCalledTimes(1);
    });

    it('is not called when the first read fails (the caller ends the attempt itself)', async () => {
      const onEnd = jest.fn();
      const failing = (async function* (): AsyncGenerator<SseEvent> {
        throw new Error('upstream said no');
      })();
      await expect(primeStream(stream(failing), 1000, onEnd)).rejects.toThrow('upstream said no');
      expect(onEnd).not.toHaveBeenCalled();
    });

    it('is called when a stream that did not prime in time fails later', async () => {
      const onEnd = jest.fn();
      const late = (async function* (): AsyncGenerator<SseEvent> {
        await new Promise((r) => setTimeout(r, 100));
        throw new Error('late failure');
      })();
      const { result, primed } = await primeStream(stream(late), 20, onEnd);
      expect(primed).toBe(false);
      await expect(collect(result)).rejects.toThrow('late failure');
      expect(onEnd).toHaveBeenCalledTimes(1);
    });
  });
});
