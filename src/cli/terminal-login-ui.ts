// LoginUi on a terminal: lines on stdout, the device-flow countdown rewritten in place when
// stdout is a terminal, pasted lines read from stdin, the browser opened with the OS's opener.
import { createInterface, type Interface } from 'node:readline';
import type { LoginUi } from '../auth/login-ui';
import { openBrowser } from './browser';
import type { CliIo } from './cli-io';

export class TerminalLoginUi implements LoginUi {
  private reader?: Interface;
  private readonly lines: string[] = [];
  private waiting?: (line: string | undefined) => void;
  private ended = false;
  private progressShown = false;

  constructor(
    private readonly io: CliIo,
    private readonly stdin: NodeJS.ReadableStream = process.stdin,
    private readonly tty = Boolean(process.stdout.isTTY),
  ) {}

  print(line: string): void {
    this.clearProgress();
    this.io.out(line);
  }

  progress(line: string): void {
    // A log file or a pipe gets no countdown: one line per poll would drown the useful ones.
    if (!this.tty) return;
    process.stdout.write(`\r\x1b[K${line}`);
    this.progressShown = true;
  }

  clearProgress(): void {
    if (!this.progressShown) return;
    process.stdout.write('\r\x1b[K');
    this.progressShown = false;
  }

  openBrowser(url: string): Promise<boolean> {
    return openBrowser(url);
  }

  readLine(signal: AbortSignal): Promise<string | undefined> {
    this.startReading();
    if (this.lines.length > 0) return Promise.resolve(this.lines.shift());
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const stop = () => {
        this.waiting = undefined;
        this.close();
        resolve(undefined);
      };
      if (signal.aborted) return stop();
      signal.addEventListener('abort', stop, { once: true });
      this.waiting = (line) => {
        signal.removeEventListener('abort', stop);
        this.waiting = undefined;
        resolve(line);
      };
    });
  }

  /** Stops reading stdin, so the process can exit. */
  close(): void {
    this.reader?.close();
    this.reader = undefined;
  }

  private startReading(): void {
    if (this.reader || this.ended) return;
    this.reader = createInterface({ input: this.stdin, terminal: false });
    this.reader.on('line', (line) => {
      const text = line.trim();
      if (!text) return;
      if (this.waiting) this.waiting(text);
      else this.lines.push(text);
    });
    this.reader.on('close', () => {
      this.ended = true;
      this.waiting?.(undefined);
    });
  }
}
