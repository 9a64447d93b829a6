// A clock and a sleep for tests, so flows that wait minutes run in milliseconds. In `auto` mode
// every sleep moves the clock forward at once (polling loops); in `manual` mode sleeps wait
// until the test calls advance() (timeouts that must not fire on their own).

export class FakeTime {
  /** Every sleep asked for, in ms, in order. */
  readonly sleeps: number[] = [];
  private current: number;
  private readonly waiting: Array<{ until: number; resolve: () => void }> = [];

  constructor(
    private readonly mode: 'auto' | 'manual',
    start = Date.UTC(2026, 0, 1, 12, 0, 0),
  ) {
    this.current = start;
  }

  readonly now = (): number => this.current;

  readonly sleep = (ms: number, signal?: AbortSignal): Promise<void> => {
    this.sleeps.push(ms);
    if (signal?.aborted) return Promise.reject(abortError());
    if (this.mode === 'auto') {
      this.current += ms;
      // Yield to I/O, as a real timer would.
      return new Promise((resolve) => setImmediate(resolve));
    }
    return new Promise<void>((resolve, reject) => {
      // The abort listener goes when the sleep ends either way, as with timers/promises' delay:
      // a flow that sleeps in a loop on one signal must not pile listeners up on it.
      const onAbort = () => {
        const index = this.waiting.indexOf(entry);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(abortError());
      };
      const entry = {
        until: this.current + ms,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.waiting.push(entry);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  };

  /** Moves the clock and wakes the sleeps that are due. */
  advance(ms: number): void {
    this.current += ms;
    for (const entry of [...this.waiting]) {
      if (entry.until <= this.current) {
        this.waiting.splice(this.waiting.indexOf(entry), 1);
        entry.resolve();
      }
    }
  }

  /** Sleeps not yet woken (manual mode). */
  get pendingSleeps(): number {
    return this.waiting.length;
  }
}

function abortError(): Error {
  const error = new Error('The operation was aborted');
  error.name = 'AbortError';
  return error;
}
