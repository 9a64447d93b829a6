// Holds a stream's opening events (Anthropic's `message_start` and pings, Responses'
// `response.created` / `response.in_progress`) until the first event with real content. Until
// then nothing has reached the client, so an upstream error is still an HTTP error (and routing
// may retry it elsewhere) instead of an error event inside a stream that has begun.
import type { SseEvent } from '../../protocol/sse';

const NONE: readonly SseEvent[] = [];

/**
 * One per stream. In the reading loop:
 *
 *     if (opening.hold(event)) continue;
 *     for (const early of opening.release()) yield early;
 *     yield event;
 *
 * A plain object, not a generator layer around the stream: every event passes through here.
 */
export class OpeningEvents {
  private held: SseEvent[] | undefined = [];

  /** @param types the event types that only open a stream. */
  constructor(private readonly types: ReadonlySet<string>) {}

  /** Keeps an opening event that came before any content (true: do not pass it on now). */
  hold(event: SseEvent): boolean {
    if (this.held === undefined || event.event === undefined || !this.types.has(event.event)) return false;
    this.held.push(event);
    return true;
  }

  /**
   * The events held so far, the first time content comes (to be passed on before it); empty
   * after that, when opening types pass straight through.
   */
  release(): readonly SseEvent[] {
    const held = this.held ?? NONE;
    this.held = undefined;
    return held;
  }
}
