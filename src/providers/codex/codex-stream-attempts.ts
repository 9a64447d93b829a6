// Runs a response over successive attempts until one produces its first event: a failure
// before anything reached the client may be retried (on a fresh socket, or over HTTP); after,
// it is the client's to see. Each attempt is started only when the previous one failed.
import type { SseEvent } from '../../protocol/sse';

/** Decides what follows a failed attempt: the next attempt's stream, or undefined to give up. */
export type NextAttempt = (error: unknown) => Promise<AsyncIterable<SseEvent>> | undefined;

export async function* retryBeforeFirstEvent(first: AsyncIterable<SseEvent>, next: NextAttempt): AsyncGenerator<SseEvent> {
  let stream = first;
  for (;;) {
    let yielded = false;
    try {
      for await (const event of stream) {
        yielded = true;
        yield event;
      }
      return;
    } catch (error) {
      const retry = yielded ? undefined : next(error);
      if (!retry) throw error;
      stream = await retry;
    }
  }
}
