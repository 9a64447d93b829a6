// Reads a stream's first event before the response to the client starts, so a failure up to
// then can still be retried elsewhere or answered as an HTTP error. The wait is bounded: an
// upstream that thinks in silence for longer gets its response started (and kept alive with
// SSE comments) instead, and a failure after that is reported inside the stream.
import type { UpstreamResult } from '../registry/provider-executor';
import type { SseEvent } from '../protocol/sse';

export interface PrimedResult {
  result: UpstreamResult;
  /** False when the first event did not come within the wait. */
  primed: boolean;
}

export async function primeStream(result: UpstreamResult, waitMs: number): Promise<PrimedResult> {
  if (result.kind !== 'stream') return { result, primed: true };
  const iterator = result.events[Symbol.asyncIterator]();
  const first = iterator.next();
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<'waited'>((resolve) => {
    timer = setTimeout(() => resolve('waited'), waitMs);
  });
  try {
    const outcome = await Promise.race([first, waited]);
    if (outcome === 'waited') {
      // Keep the pending read: its event (or error) is the stream's first.
      first.catch(() => undefined);
      return { result: { ...result, events: resume(first, iterator) }, primed: false };
    }
    return { result: { ...result, events: resume(Promise.resolve(outcome), iterator) }, primed: true };
  } finally {
    clearTimeout(timer);
  }
}

/** The stream again, starting with the read already under way. */
async function* resume(first: Promise<IteratorResult<SseEvent>>, rest: AsyncIterator<SseEvent>): AsyncGenerator<SseEvent> {
  try {
    const head = await first;
    if (head.done) return;
    yield head.value;
    for (;;) {
      const next = await rest.next();
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await rest.return?.().catch(() => undefined);
  }
}
