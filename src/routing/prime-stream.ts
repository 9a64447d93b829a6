// Reads a stream's first event before the response to the client starts, so a failure up to
// then can still be retried elsewhere or answered as an HTTP error. The wait is bounded: an
// upstream that thinks in silence for longer gets its response started (and kept alive with
// SSE comments) instead, and a failure after that is reported inside the stream.
import type { UpstreamResult } from '../contract/provider-executor';
import type { SseEvent } from '../protocol/sse';

export interface PrimedResult {
  result: UpstreamResult;
  /** False when the first event did not come within the wait. */
  primed: boolean;
}

/**
 * @param onEnd called once when the answer is finished with: at once for a JSON answer, else
 *   when the stream ends, fails or is closed early. Not called when this throws (the caller
 *   knows the attempt is over then).
 * @param observe handed each event as its reader takes it (usage accounting); synchronous, so
 *   watching costs no promise per event.
 */
export async function primeStream(
  result: UpstreamResult,
  waitMs: number,
  onEnd: () => void = noop,
  observe?: (event: SseEvent) => void,
): Promise<PrimedResult> {
  if (result.kind !== 'stream') {
    onEnd();
    return { result, primed: true };
  }
  const iterator = result.events[Symbol.asyncIterator]();
  const first = iterator.next();
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<'waited'>((resolve) => {
    timer = setTimeout(resolve, waitMs, 'waited');
  });
  try {
    const outcome = await Promise.race([first, waited]);
    if (outcome === 'waited') {
      // Keep the pending read: its event (or error) is the stream's first.
      first.catch(noop);
      return { result: { ...result, events: new ResumedEvents(first, iterator, onEnd, observe) }, primed: false };
    }
    return { result: { ...result, events: new ResumedEvents(first, iterator, onEnd, observe) }, primed: true };
  } catch (error) {
    await iterator.return?.().catch(noop);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The stream again, starting with the read already under way. A plain iterator, not an async
 * generator: every event passes through here, and a generator layer would add its own promise
 * and microtask hops to each one. `next()` hands out the source's promise, watched for the end.
 */
class ResumedEvents implements AsyncIterableIterator<SseEvent> {
  private head: Promise<IteratorResult<SseEvent>> | undefined;
  private ended = false;

  constructor(
    first: Promise<IteratorResult<SseEvent>>,
    private readonly source: AsyncIterator<SseEvent>,
    private readonly onEnd: () => void,
    private readonly observe: ((event: SseEvent) => void) | undefined,
  ) {
    this.head = first;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<SseEvent>> {
    if (this.ended) return Promise.resolve({ done: true, value: undefined });
    const read = this.head ?? this.source.next();
    this.head = undefined;
    return read.then(this.settled, this.failed);
  }

  async return(): Promise<IteratorResult<SseEvent>> {
    if (!this.ended) {
      this.end();
      // A read still pending (a stream that never primed) settles into the void.
      this.head?.catch(noop);
      await this.source.return?.().catch(noop);
    }
    return { done: true, value: undefined };
  }

  private readonly settled = (read: IteratorResult<SseEvent>): IteratorResult<SseEvent> => {
    if (read.done) this.end();
    else if (this.observe) this.observe(read.value);
    return read;
  };

  private readonly failed = (error: unknown): never => {
    this.end();
    throw error;
  };

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd();
  }
}

function noop(): void {}
