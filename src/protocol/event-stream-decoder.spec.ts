import { crc32 } from 'node:zlib';
import { EventStreamDecoder, EventStreamFrameError, eventStreamCodec, type EventStreamFrame } from './event-stream-decoder';

const codec = eventStreamCodec();

function frame(eventType: string, payload: object, messageType = 'event'): Buffer {
  const headers = {
    ':message-type': { type: 'string' as const, value: messageType },
    ':event-type': { type: 'string' as const, value: eventType },
    ':content-type': { type: 'string' as const, value: 'application/json' },
  };
  return Buffer.from(codec.encode({ headers, body: Buffer.from(JSON.stringify(payload)) }));
}

const json = (f: EventStreamFrame) => JSON.parse(Buffer.from(f.payload).toString('utf8'));

describe('EventStreamDecoder', () => {
  const a = frame('assistantResponseEvent', { content: 'Hello' });
  const b = frame('assistantResponseEvent', { content: ', wörld' });
  const c = frame('toolUseEvent', { name: 'f', toolUseId: 't1', input: '{"x":', stop: false });

  it('matches the reference layout: prelude lengths, prelude CRC32 and message CRC32 (IEEE)', () => {
    expect(a.readUInt32BE(0)).toBe(a.byteLength);
    expect(a.readUInt32BE(8)).toBe(crc32(a.subarray(0, 8)));
    expect(a.readUInt32BE(a.byteLength - 4)).toBe(crc32(a.subarray(0, a.byteLength - 4)));
    // 16 bytes of overhead: prelude 12 + message CRC 4.
    expect(a.byteLength).toBe(16 + a.readUInt32BE(4) + Buffer.byteLength(JSON.stringify({ content: 'Hello' })));
  });

  it('decodes several frames arriving in one chunk, with their headers', () => {
    const frames = [...new EventStreamDecoder().feed(Buffer.concat([a, b, c]))];
    expect(frames.map(json)).toEqual([{ content: 'Hello' }, { content: ', wörld' }, { name: 'f', toolUseId: 't1', input: '{"x":', stop: false }]);
    expect(frames[2].headers).toEqual({ ':message-type': 'event', ':event-type': 'toolUseEvent', ':content-type': 'application/json' });
  });

  it.each([1, 3, 5, 11, 13, 29])('decodes frames split across chunks of %i bytes, each frame once, in order', (size) => {
    const bytes = Buffer.concat([a, b, c]);
    const decoder = new EventStreamDecoder();
    const out: EventStreamFrame[] = [];
    for (let at = 0; at < bytes.byteLength; at += size) out.push(...decoder.feed(bytes.subarray(at, at + size)));
    decoder.end();
    expect(out.map(json)).toEqual([{ content: 'Hello' }, { content: ', wörld' }, expect.objectContaining({ toolUseId: 't1' })]);
  });

  it('yields the good frames before a frame whose message CRC is wrong, then throws', () => {
    const bad = Buffer.from(b);
    bad[bad.byteLength - 1] ^= 0xff;
    const decoder = new EventStreamDecoder();
    const seen: unknown[] = [];
    expect(() => {
      for (const f of decoder.feed(Buffer.concat([a, bad, c]))) seen.push(json(f));
    }).toThrow(EventStreamFrameError);
    expect(seen).toEqual([{ content: 'Hello' }]);
  });

  it('rejects a bad prelude CRC as soon as the prelude is in, before waiting for the length it states', () => {
    const bad = Buffer.from(a);
    // A corrupt length (huge) with a prelude CRC that no longer matches it.
    bad.writeUInt32BE(0x7fffffff, 0);
    const decoder = new EventStreamDecoder();
    expect(() => [...decoder.feed(bad.subarray(0, 12))]).toThrow(/prelude CRC32/);
  });

  it('rejects a prelude whose CRC matches but whose lengths are impossible', () => {
    const prelude = Buffer.alloc(12);
    prelude.writeUInt32BE(8, 0);
    prelude.writeUInt32BE(0, 4);
    prelude.writeUInt32BE(crc32(prelude.subarray(0, 8)), 8);
    expect(() => [...new EventStreamDecoder().feed(prelude)]).toThrow(/impossible lengths/);
  });

  it('says so when the stream ends inside a frame', () => {
    const decoder = new EventStreamDecoder();
    expect([...decoder.feed(a.subarray(0, a.byteLength - 3))]).toEqual([]);
    expect(() => decoder.end()).toThrow(/ended inside a frame/);
  });

  it('decodes an exception frame like any other (the reader decides what it means)', () => {
    const [exception] = new EventStreamDecoder().feed(
      Buffer.from(
        codec.encode({
          headers: { ':message-type': { type: 'string', value: 'exception' }, ':exception-type': { type: 'string', value: 'ThrottlingException' } },
          body: Buffer.from('{"message":"slow down"}'),
        }),
      ),
    );
    expect(exception.headers).toEqual({ ':message-type': 'exception', ':exception-type': 'ThrottlingException' });
    expect(json(exception)).toEqual({ message: 'slow down' });
  });
});
