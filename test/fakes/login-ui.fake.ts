// An in-memory LoginUi: records what a login flow shows, plays the browser opener and the
// pasted line, and lets a test wait for a line (the authorize URL, the device code).
import type { LoginUi } from '../../src/auth/login-ui';

export class FakeLoginUi implements LoginUi {
  readonly lines: string[] = [];
  readonly progressLines: string[] = [];
  readonly openedUrls: string[] = [];
  progressCleared = 0;
  /** What openBrowser answers. */
  browserWorks = true;
  /** Called with each URL the flow opens (a test plays the browser here). */
  onOpen?: (url: string) => void;
  /** Called with each printed line (a test plays the user here). */
  onPrint?: (line: string) => void;
  /** Signals of readLine calls, to see that the flow stops reading. */
  readonly readSignals: AbortSignal[] = [];

  private readonly pasted: Array<string | undefined> = [];
  private reader?: (line: string | undefined) => void;
  private readonly lineWaiters: Array<{ test: (line: string) => boolean; resolve: (line: string) => void }> = [];

  constructor(private readonly withInput = true) {
    if (!withInput) this.readLine = undefined;
  }

  print(line: string): void {
    this.lines.push(line);
    for (const waiter of [...this.lineWaiters]) {
      if (waiter.test(line)) {
        this.lineWaiters.splice(this.lineWaiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
    this.onPrint?.(line);
  }

  progress(line: string): void {
    this.progressLines.push(line);
  }

  clearProgress(): void {
    this.progressCleared += 1;
  }

  async openBrowser(url: string): Promise<boolean> {
    this.openedUrls.push(url);
    this.onOpen?.(url);
    return this.browserWorks;
  }

  readLine?: (signal: AbortSignal) => Promise<string | undefined> = (signal) => {
    this.readSignals.push(signal);
    if (this.pasted.length > 0) return Promise.resolve(this.pasted.shift());
    return new Promise((resolve, reject) => {
      this.reader = resolve;
      signal.addEventListener('abort', () => reject(new Error('read stopped')), { once: true });
    });
  };

  /** The user pastes a line (undefined = end of input). */
  paste(line: string | undefined): void {
    if (this.reader) {
      const reader = this.reader;
      this.reader = undefined;
      reader(line);
    } else {
      this.pasted.push(line);
    }
  }

  /** Resolves with the first printed line (already printed or to come) that matches. */
  waitForLine(test: RegExp | ((line: string) => boolean)): Promise<string> {
    const predicate = typeof test === 'function' ? test : (line: string) => test.test(line);
    const found = this.lines.find(predicate);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve) => this.lineWaiters.push({ test: predicate, resolve }));
  }

  get hasInput(): boolean {
    return this.withInput;
  }
}
