// A stream's opening events wait for its first content, then go out ahead of it in order; an
// error before content means nothing of the stream was passed on.
import type { SseEvent } from '../../protocol/sse';
import { OpeningEvents } from './opening-events';

const event = (type: string): SseEvent => ({ event: type, data: JSON.stringify({ type }) });

/** Runs events through the loop the executors use; throws at the event type `fail`. */
async function* pass(events: SseEvent[], types: ReadonlySet<string>, fail?: string): AsyncGenerator<SseEvent> {
  const opening = new OpeningEvents(types);
  for (const e of events) {
    if (e.event === fail) throw new Error(`upstream error at ${fail}`);
    if (opening.hold(e)) continue;
    for (const early of opening.release()) yield early;
    yield e;
  }
}

async function collect(stream: AsyncGenerator<SseEvent>, seen: string[]): Promise<void> {
  for await (const e of stream) seen.push(e.event!);
}

const CLAUDE = new Set(['message_start', 'ping']);
const RESPONSES = new Set(['response.created', 'response.in_progress']);

describe('OpeningEvents', () => {
  it('passes the held Anthropic opening on before the first content block, in order, and later pings straight through', async () => {
    const seen: string[] = [];
    await collect(pass(['message_start', 'ping', 'content_block_start', 'ping', 'content_block_delta', 'message_stop'].map(event), CLAUDE), seen);
    expect(seen).toEqual(['message_start', 'ping', 'content_block_start', 'ping', 'content_block_delta', 'message_stop']);
  });

  it.each([
    ['an Anthropic error', CLAUDE, ['message_start', 'ping', 'error'], 'error'],
    ['a Responses failure', RESPONSES, ['response.created', 'response.in_progress', 'response.failed'], 'response.failed'],
  ])('lets nothing out before %s that comes ahead of any content', async (_case, types, names, fail) => {
    const seen: string[] = [];
    await expect(collect(pass(names.map(event), types, fail), seen)).rejects.toThrow(`upstream error at ${fail}`);
    expect(seen).toEqual([]);
  });

  it('after content has gone out, an error comes after what was passed on', async () => {
    const seen: string[] = [];
    const names = ['response.created', 'response.in_progress', 'response.output_item.added', 'response.output_text.delta', 'error'];
    await expect(collect(pass(names.map(event), RESPONSES, 'error'), seen)).rejects.toThrow();
    expect(seen).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.output_text.delta']);
  });

  it('holds nothing when the first event is content, and releases once', () => {
    const opening = new OpeningEvents(RESPONSES);
    expect(opening.hold(event('response.output_item.added'))).toBe(false);
    expect(opening.release()).toEqual([]);
    expect(opening.hold(event('response.in_progress'))).toBe(false);
    expect(opening.release()).toEqual([]);
  });
});
