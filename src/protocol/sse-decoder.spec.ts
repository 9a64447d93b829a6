// decodeSse against hostile framing: split events, packed events, CR/CRLF, comments, fields,
// multi-line data, a missing final blank line, UTF-8 split across chunks, random re-chunking.
import { decodeSse, SseTooLargeError } from './sse-decoder';
import type { SseEvent } from './sse';

async function* chunksOf(parts: ReadonlyArray<Uint8Array | string>): AsyncGenerator<Uint8Array | string> {
  for (const part of parts) yield part;
}

async function decodeAll(parts: ReadonlyArray<Uint8Array | string>): Promise<SseEvent[]> {
  const out: SseEvent[] = [];
  for await (const event of decodeSse(chunksOf(parts))) out.push(event);
  return out;
}

const bytes = (text: string) => Buffer.from(text, 'utf8');

/** Deterministic PRNG (mulberry32), so a failing iteration can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Cuts `buffer` at random byte offsets (possibly inside a multi-byte character). */
function rechunk(buffer: Buffer, random: () => number): Buffer[] {
  const pieces: Buffer[] = [];
  let at = 0;
  while (at < buffer.length) {
    // Mostly tiny pieces (1-8 bytes) to hit every boundary, sometimes large ones.
    const size = random() < 0.8 ? 1 + Math.floor(random() * 8) : 1 + Math.floor(random() * 200);
    pieces.push(buffer.subarray(at, at + size));
    at += size;
  }
  return pieces;
}

describe('decodeSse', () => {
  it('decodes one event in one chunk', async () => {
    expect(await decodeAll([bytes('data: {"a":1}\n\n')])).toStrictEqual([{ data: '{"a":1}' }]);
  });

  it.each<[string, string[]]>([
    ['mid `data:` field name', ['da', 'ta: {"a":1}\n\n']],
    ['mid value', ['data: {"a"', ':1}\n\n']],
    ['after the colon, before the space', ['data:', ' {"a":1}\n\n']],
    ['between the two \\n of the blank line', ['data: {"a":1}\n', '\n']],
    ['three pieces', ['da', 'ta: {"a"', ':1}\n', '\n']],
    ['one byte at a time', 'data: {"a":1}\n\n'.split('')],
  ])('reassembles one event split %s', async (_label, parts) => {
    expect(await decodeAll(parts.map(bytes))).toStrictEqual([{ data: '{"a":1}' }]);
  });

  it('decodes several events packed into one chunk, in order', async () => {
    const events = await decodeAll([bytes('data: 1\n\ndata: 2\n\ndata: 3\n\n')]);
    expect(events.map((e) => e.data)).toEqual(['1', '2', '3']);
  });

  it('decodes events whose boundaries do not line up with chunks', async () => {
    const events = await decodeAll([bytes('data: 1\n\ndata: '), bytes('2\n\nda'), bytes('ta: 3\n\n')]);
    expect(events.map((e) => e.data)).toEqual(['1', '2', '3']);
  });

  it.each<[string, string[]]>([
    ['\\r\\n', ['data: a\r\n\r\ndata: b\r\n\r\n']],
    ['\\r\\n split between \\r and \\n', ['data: a\r', '\n\r', '\ndata: b\r\n', '\r\n']],
    ['\\r', ['data: a\r\rdata: b\r\r']],
    ['\\r, one byte at a time', 'data: a\r\rdata: b\r\r'.split('')],
    ['mixed \\n, \\r\\n and \\r', ['data: a\r\n\ndata: b\r\r\n']],
  ])('accepts %s line endings', async (_label, parts) => {
    const events = await decodeAll(parts.map(bytes));
    expect(events).toStrictEqual([{ data: 'a' }, { data: 'b' }]);
  });

  it('ignores comment and keepalive lines, alone or inside an event', async () => {
    const events = await decodeAll([
      bytes(': ping\n\n'),
      bytes(':\n\n'),
      bytes('data: a\n: keepalive in the middle\ndata: b\n\n'),
      bytes(': OPENROUTER PROCESSING\n\ndata: c\n\n'),
    ]);
    expect(events).toStrictEqual([{ data: 'a\nb' }, { data: 'c' }]);
  });

  it('yields nothing for a stream of only comments and blank lines', async () => {
    expect(await decodeAll([bytes(': ping\n\n\n\n: ping\r\n\r\n')])).toEqual([]);
  });

  it('keeps `event:` and `id:` lines on the event they belong to', async () => {
    const events = await decodeAll([
      bytes('event: message_start\nid: 7\ndata: {"type":"message_start"}\n\n'),
      bytes('event: ping\ndata: {"type": "ping"}\n\n'),
      bytes('data: plain\n\n'),
    ]);
    expect(events).toStrictEqual([
      { event: 'message_start', id: '7', data: '{"type":"message_start"}' },
      { event: 'ping', data: '{"type": "ping"}' },
      { data: 'plain' },
    ]);
  });

  it('joins multi-line data with \\n and keeps empty data lines', async () => {
    const events = await decodeAll([bytes('data: line 1\ndata: line 2\ndata:\ndata: line 4\n\n')]);
    expect(events).toStrictEqual([{ data: 'line 1\nline 2\n\nline 4' }]);
  });

  it('takes the value after `data:` without a space, and strips only one space', async () => {
    const events = await decodeAll([bytes('data:x\n\ndata:  two spaces\n\n')]);
    expect(events.map((e) => e.data)).toEqual(['x', ' two spaces']);
  });

  it('ignores unknown fields instead of failing', async () => {
    const events = await decodeAll([bytes('foo: bar\nretry: 100\nretry: soon\ndata: a\n\n')]);
    expect(events).toStrictEqual([{ data: 'a' }]);
  });

  it('passes `data: [DONE]` through as an ordinary event', async () => {
    const events = await decodeAll([bytes('data: {"x":1}\n\ndata: [DONE]\n\n')]);
    expect(events.map((e) => e.data)).toEqual(['{"x":1}', '[DONE]']);
  });

  it.each<[string, string[]]>([
    ['after a data line without its newline', ['data: a\n\ndata: b']],
    ['after a data line with one newline', ['data: a\n\ndata: b\n']],
    ['after a data line ended by \\r', ['data: a\r\rdata: b\r']],
    ['after a data line ended by \\r\\n', ['data: a\r\n\r\ndata: b\r\n']],
    ['with event: and id: lines', ['data: a\n\nevent: e\nid: 9\ndata: b']],
  ])('dispatches a last event that lost its blank line %s', async (_label, parts) => {
    const events = await decodeAll(parts.map(bytes));
    expect(events.map((e) => e.data)).toEqual(['a', 'b']);
  });

  it('does not invent an event from a trailing `event:` line without data', async () => {
    expect(await decodeAll([bytes('data: a\n\nevent: orphan\n')])).toStrictEqual([{ data: 'a' }]);
  });

  it.each<[string, string, number[]]>([
    ['an emoji (4 bytes) split after byte 1', 'data: hi 🎉!\n\n', [1]],
    ['an emoji (4 bytes) split after byte 2', 'data: hi 🎉!\n\n', [2]],
    ['an emoji (4 bytes) split after byte 3', 'data: hi 🎉!\n\n', [3]],
    ['a CJK character (3 bytes) split after byte 1', 'data: 你好\n\n', [1]],
    ['a CJK character (3 bytes) split after byte 2', 'data: 你好\n\n', [2]],
    ['a CJK character split across three chunks', 'data: 你好\n\n', [1, 1]],
  ])('decodes %s', async (_label, frame, cuts) => {
    const whole = bytes(frame);
    const marker = frame.includes('🎉') ? bytes('🎉') : bytes('你');
    const start = whole.indexOf(marker);
    const parts: Buffer[] = [];
    let at = 0;
    let cut = start;
    for (const step of cuts) {
      cut += step;
      parts.push(whole.subarray(at, cut));
      at = cut;
    }
    parts.push(whole.subarray(at));
    // Each piece alone is invalid UTF-8 at the cut: a naive toString() would produce U+FFFD.
    expect(parts.some((p) => p.toString('utf8').includes('\ufffd'))).toBe(true);
    const events = await decodeAll(parts);
    expect(events).toStrictEqual([{ data: frame.slice('data: '.length, -2) }]);
  });

  it('accepts string chunks as well as bytes', async () => {
    expect(await decodeAll(['data: a', '\n\n', bytes('data: b\n\n')])).toStrictEqual([{ data: 'a' }, { data: 'b' }]);
  });

  it('yields an event as soon as it is complete, before the stream goes on', async () => {
    const pulled: string[] = [];
    async function* slow(): AsyncGenerator<Uint8Array> {
      pulled.push('first');
      yield bytes('data: early\n\n');
      pulled.push('second');
      yield bytes('data: late\n\n');
    }
    const iterator = decodeSse(slow())[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value).toStrictEqual({ data: 'early' });
    expect(pulled).toEqual(['first']);
    const second = await iterator.next();
    expect(second.value).toStrictEqual({ data: 'late' });
    expect((await iterator.next()).done).toBe(true);
  });

  it('fails instead of buffering an endless event (more than 16 Mi characters)', async () => {
    const mib = 'x'.repeat(1024 * 1024);
    async function* endless(): AsyncGenerator<string> {
      yield 'data: ';
      for (let i = 0; i < 20; i++) yield mib;
      yield '\n\n';
    }
    const run = async () => {
      for await (const _ of decodeSse(endless())) {
        // drain
      }
    };
    await expect(run()).rejects.toBeInstanceOf(SseTooLargeError);
  });

  describe('property: re-chunking at random boundaries never changes the events', () => {
    // A realistic OpenAI chat stream: role chunk, content deltas (with multi-byte text), a
    // finish chunk, a usage chunk, then the terminator.
    const base = { id: 'chatcmpl-9x', object: 'chat.completion.chunk', created: 1732500000, model: 'gpt-4o-mini', system_fingerprint: 'fp_1' };
    const chunks = [
      { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }], usage: null },
      { ...base, choices: [{ index: 0, delta: { content: 'Héllo' }, logprobs: null, finish_reason: null }], usage: null },
      { ...base, choices: [{ index: 0, delta: { content: ' 世界 🌍🎉' }, logprobs: null, finish_reason: null }], usage: null },
      { ...base, choices: [{ index: 0, delta: { content: ' data: not a field\\n' }, logprobs: null, finish_reason: null }], usage: null },
      { ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }], usage: null },
      { ...base, choices: [], usage: { prompt_tokens: 9, completion_tokens: 5, total_tokens: 14 } },
    ];
    const expected = [...chunks.map((c) => JSON.stringify(c)), '[DONE]'];

    it.each<[string, string]>([
      ['\\n', '\n'],
      ['\\r\\n', '\r\n'],
    ])('with %s line endings, over 400 seeded random splits', async (_label, eol) => {
      const stream = bytes(
        expected.map((data) => `data: ${data}${eol}${eol}`).join('') + `: keepalive${eol}${eol}`,
      );
      const random = prng(0x5eed);
      for (let iteration = 0; iteration < 400; iteration++) {
        const parts = rechunk(stream, random);
        const events = await decodeAll(parts);
        if (events.length !== expected.length || events.some((e, i) => e.data !== expected[i])) {
          // Name the split that broke it, so it can be replayed.
          throw new Error(`iteration ${iteration}: split ${JSON.stringify(parts.map((p) => p.length))} decoded ${JSON.stringify(events)}`);
        }
      }
      // The parsed payloads are the original objects (nothing lost or mangled in the UTF-8).
      const last = await decodeAll(rechunk(stream, random));
      expect(last.slice(0, -1).map((e) => JSON.parse(e.data))).toEqual(chunks);
      expect(last.every((e) => e.event === undefined && e.id === undefined)).toBe(true);
    });
  });
});
