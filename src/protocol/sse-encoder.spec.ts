// encodeSseEvent / encodeSseComment: exact framing, and encode → decode round trips.
import { decodeSse } from './sse-decoder';
import { encodeSseComment, encodeSseEvent } from './sse-encoder';
import type { SseEvent } from './sse';

async function decodeText(text: string): Promise<SseEvent[]> {
  async function* once(): AsyncGenerator<Uint8Array> {
    yield Buffer.from(text, 'utf8');
  }
  const out: SseEvent[] = [];
  for await (const event of decodeSse(once())) out.push(event);
  return out;
}

describe('encodeSseEvent', () => {
  it.each<[string, SseEvent, string]>([
    ['single-line data', { data: '{"a":1}' }, 'data: {"a":1}\n\n'],
    ['empty data', { data: '' }, 'data: \n\n'],
    ['the [DONE] terminator', { data: '[DONE]' }, 'data: [DONE]\n\n'],
    ['multi-line data, one data line per line', { data: 'a\nb\nc' }, 'data: a\ndata: b\ndata: c\n\n'],
    ['\\r\\n inside data, split like \\n', { data: 'a\r\nb' }, 'data: a\ndata: b\n\n'],
    ['a trailing newline as an empty last line', { data: 'a\n' }, 'data: a\ndata: \n\n'],
    ['an event line before data', { event: 'message_start', data: '{}' }, 'event: message_start\ndata: {}\n\n'],
    ['event then id then data', { event: 'delta', id: '42', data: 'x' }, 'event: delta\nid: 42\ndata: x\n\n'],
    ['an id line without event', { id: '1', data: 'x' }, 'id: 1\ndata: x\n\n'],
    ['multi-line data with event', { event: 'e', data: '1\n2' }, 'event: e\ndata: 1\ndata: 2\n\n'],
  ])('writes %s', (_label, event, frame) => {
    expect(encodeSseEvent(event)).toBe(frame);
  });

  // Bug: only '\n' selects the multi-line branch, so a lone '\r' is written raw inside one
  // `data:` line; every SSE parser treats '\r' as a line end, and the text after it is lost.
  it('splits data on a lone \\r too, as its multi-line branch does', () => {
    expect(encodeSseEvent({ data: 'a\rb' })).toBe('data: a\ndata: b\n\n');
  });
});

describe('encodeSseComment', () => {
  it.each<[string, string]>([
    ['ping', ': ping\n\n'],
    ['', ': \n\n'],
  ])('writes %j as a comment frame', (text, frame) => {
    expect(encodeSseComment(text)).toBe(frame);
  });
});

describe('encode → decode round trip', () => {
  it.each<[string, SseEvent]>([
    ['JSON data', { data: JSON.stringify({ choices: [{ delta: { content: 'hi\n"there"' } }] }) }],
    ['empty data', { data: '' }],
    ['multi-line data', { data: 'first\nsecond\n\nfourth' }],
    ['data ending in a newline', { data: 'x\n' }],
    ['data of one newline', { data: '\n' }],
    ['data with a leading space', { data: ' indented' }],
    ['data that looks like a field', { data: 'event: fake\ndata: fake' }],
    ['unicode', { data: '你好 🌍' }],
    ['event and id', { event: 'content_block_delta', id: 'evt-3', data: '{"type":"content_block_delta"}' }],
  ])('%s survives', async (_label, event) => {
    expect(await decodeText(encodeSseEvent(event))).toStrictEqual([event]);
  });

  it('a sequence of events with comments between them decodes to the events alone', async () => {
    const events: SseEvent[] = [{ data: '1' }, { event: 'e', data: 'two\nlines' }, { id: '3', data: '3' }];
    const text =
      encodeSseComment('ping') + encodeSseEvent(events[0]) + encodeSseComment('keepalive') + encodeSseEvent(events[1]) + encodeSseEvent(events[2]);
    expect(await decodeText(text)).toStrictEqual(events);
  });

  it('data with a lone \\r keeps the text after the \\r (normalized to \\n like \\r\\n)', async () => {
    expect(await decodeText(encodeSseEvent({ data: 'a\rb' }))).toStrictEqual([{ data: 'a\nb' }]);
  });

  it('data with \\r\\n comes back with \\n (SSE cannot carry \\r)', async () => {
    expect(await decodeText(encodeSseEvent({ data: 'a\r\nb' }))).toStrictEqual([{ data: 'a\nb' }]);
  });
});
