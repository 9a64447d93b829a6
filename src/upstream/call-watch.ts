// The life of one upstream HTTP call, watched by the gateway itself: the first-byte and idle
// timeouts on our own timers, and the call aborted when one fires or the client leaves.
// undici's headersTimeout/bodyTimeout run on its coarse "fast timers" (about half a second of
// slack above one second), so a 1.5 s limit answered at 2 s; these fire on time. The idle clock
// only runs while the gateway is waiting for the upstream: a slow client holding an event is not
// an upstream falling silent.
// The watch is itself the signal undici is given: undici takes an EventEmitter with `aborted`
// and `reason` as readily as an AbortSignal, and an AbortController per call (EventTarget
// machinery) cost measurably more on the hot path than this.
import { EventEmitter } from 'node:events';

/** Why the watch aborted the call; the reason the call's AbortSignal carries. */
export class UpstreamDeadline extends Error {
  constructor(readonly phase: 'first-byte' | 'idle') {
    super(phase === 'first-byte' ? 'no response headers within the first-byte timeout' : 'no data within the idle timeout');
    this.name = 'UpstreamDeadline';
  }
}

export class CallWatch extends EventEmitter {
  /** Read by undici, like AbortSignal's. */
  aborted = false;
  reason: unknown = undefined;
  private timer: NodeJS.Timeout | undefined;
  /** True while the reader waits for the upstream's next chunk (the idle clock counts). */
  private awaiting = true;
  private finished = false;

  constructor(
    private readonly client: AbortSignal,
    firstByteMs: number,
    private readonly idleMs: number,
  ) {
    super();
    if (client.aborted) {
      this.aborted = true;
      this.reason = client.reason;
      return;
    }
    client.addEventListener('abort', this.onClientAbort, { once: true });
    this.timer = setTimeout(this.onFirstByteTimeout, firstByteMs);
  }

  /** The deadline that aborted the call, if one did. */
  get deadline(): UpstreamDeadline | undefined {
    return this.reason instanceof UpstreamDeadline ? this.reason : undefined;
  }

  /** Headers arrived: the first-byte clock stops and the idle clock starts. */
  headersArrived(): void {
    clearTimeout(this.timer);
    if (this.finished) return;
    this.timer = setTimeout(this.onIdleTimeout, this.idleMs);
    this.awaiting = true;
  }

  /** The reader took a chunk: until it asks for the next, silence is not the upstream's. */
  chunkArrived(): void {
    this.awaiting = false;
  }

  /** The reader asks for the next chunk: the idle clock starts again. */
  awaitingNext(): void {
    this.awaiting = true;
    this.timer?.refresh();
  }

  /** The call is over (body ended, destroyed or failed): timers and listeners go. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.client.removeEventListener('abort', this.onClientAbort);
  }

  private abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.emit('abort');
  }

  private readonly onClientAbort = (): void => {
    this.abort(this.client.reason);
  };

  private readonly onFirstByteTimeout = (): void => {
    this.abort(new UpstreamDeadline('first-byte'));
  };

  private readonly onIdleTimeout = (): void => {
    if (this.finished) return;
    if (!this.awaiting) {
      // The reader is busy with a chunk (a slow client): wait a whole idle period again.
      this.timer?.refresh();
      return;
    }
    this.abort(new UpstreamDeadline('idle'));
  };
}
