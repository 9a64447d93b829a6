// The life of one upstream HTTP call, watched by the gateway itself: the first-byte and idle
// timeouts on our own timers, and the call aborted through its own AbortController when one
// fires or the client leaves. undici's headersTimeout/bodyTimeout run on its coarse "fast
// timers" (about half a second of slack above one second), so a 1.5 s limit answered at 2 s;
// these fire on time. The idle clock only runs while the gateway is waiting for the upstream:
// a slow client holding an event is not an upstream falling silent.

/** Why the watch aborted the call; the reason the call's AbortSignal carries. */
export class UpstreamDeadline extends Error {
  constructor(readonly phase: 'first-byte' | 'idle') {
    super(phase === 'first-byte' ? 'no response headers within the first-byte timeout' : 'no data within the idle timeout');
    this.name = 'UpstreamDeadline';
  }
}

export class CallWatch {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  /** True while the reader waits for the upstream's next chunk (the idle clock counts). */
  private awaiting = true;
  private finished = false;

  constructor(
    private readonly client: AbortSignal,
    firstByteMs: number,
    private readonly idleMs: number,
  ) {
    if (client.aborted) this.controller.abort(client.reason);
    else client.addEventListener('abort', this.onClientAbort, { once: true });
    this.timer = setTimeout(this.onFirstByteTimeout, firstByteMs);
  }

  /** The signal to hand to the HTTP client. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The deadline that aborted the call, if one did. */
  get deadline(): UpstreamDeadline | undefined {
    const reason: unknown = this.controller.signal.reason;
    return reason instanceof UpstreamDeadline ? reason : undefined;
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

  private readonly onClientAbort = (): void => {
    this.controller.abort(this.client.reason);
  };

  private readonly onFirstByteTimeout = (): void => {
    this.controller.abort(new UpstreamDeadline('first-byte'));
  };

  private readonly onIdleTimeout = (): void => {
    if (this.finished) return;
    if (!this.awaiting) {
      // The reader is busy with a chunk (a slow client): wait a whole idle period again.
      this.timer?.refresh();
      return;
    }
    this.controller.abort(new UpstreamDeadline('idle'));
  };
}
