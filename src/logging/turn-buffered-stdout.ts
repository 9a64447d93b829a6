// Where JSON log lines go on stdout: the lines logged during one turn of the event loop are written
// together, with one write(2), right after the turn. Measured against pino's own destinations on a
// node:http server answering at 32 connections, a line a request cost 10 µs of CPU a request with
// the asynchronous one (a libuv job per write, and its buffering) and 6 µs with the synchronous one
// (a write(2) per line); gathered per turn it costs 2–4 µs. Lines are never held longer than the
// turn, so a quiet gateway's lines appear at once, and what is left is written at exit.
//
// A stdout that cannot take more (a full non-blocking pipe: EAGAIN) keeps the lines and tries again
// shortly; past MAX_PENDING_BYTES new lines are dropped and counted, and a line says how many once
// stdout takes lines again, so the log never grows without bound. A blocking stdout (a file, most
// pipes) makes the turn's one write wait, as pino's default synchronous destination does per line.
import { writeSync as fsWriteSync } from 'node:fs';

/** How much may wait for a stdout that does not take lines, before new ones are dropped. */
export const MAX_PENDING_BYTES = 16 * 1024 * 1024;
/** How long to wait before trying a stdout that refused (EAGAIN) again. */
const RETRY_MS = 20;

export interface TurnBufferedDeps {
  /** fs.writeSync's shape: bytes written, or throws (EAGAIN when a non-blocking pipe is full). */
  writeSync?: (fd: number, buffer: Buffer) => number;
  /** Runs a function after the current turn (default setImmediate). */
  afterTurn?: (fn: () => void) => void;
  retryLater?: (fn: () => void, ms: number) => void;
}

/** Every destination with lines that may be pending, written at exit (one exit listener for all). */
const live = new Set<TurnBufferedStdout>();
let exitHooked = false;

export class TurnBufferedStdout {
  private pending: string[] = [];
  /** Bytes of a write stdout took only in part: they go first. */
  private carry?: Buffer;
  private pendingBytes = 0;
  private scheduled = false;
  private dropped = 0;
  private readonly writeSync: (fd: number, buffer: Buffer) => number;
  private readonly afterTurn: (fn: () => void) => void;
  private readonly retryLater: (fn: () => void, ms: number) => void;

  constructor(
    private readonly fd = 1,
    deps: TurnBufferedDeps = {},
  ) {
    this.writeSync = deps.writeSync ?? fsWriteSync;
    this.afterTurn = deps.afterTurn ?? setImmediate;
    this.retryLater = deps.retryLater ?? ((fn, ms) => setTimeout(fn, ms).unref());
    live.add(this);
    if (!exitHooked) {
      exitHooked = true;
      process.on('exit', () => {
        for (const destination of live) destination.flushSync();
      });
    }
  }

  /** pino's destination contract: one whole line (with its newline) per call. */
  write(line: string): boolean {
    if (this.pendingBytes >= MAX_PENDING_BYTES) {
      this.dropped++;
      return false;
    }
    this.pending.push(line);
    this.pendingBytes += line.length;
    if (!this.scheduled) {
      this.scheduled = true;
      this.afterTurn(() => this.writePending());
    }
    return true;
  }

  /** Writes what is pending now (exit calls it). */
  flushSync(): void {
    this.writePending();
  }

  /** pino's `logger.flush(cb)`: writes what is pending now, then calls back. */
  flush(callback?: (error?: Error) => void): void {
    this.writePending();
    callback?.();
  }

  /** Writes what is pending and forgets this destination at exit. */
  close(): void {
    this.writePending();
    live.delete(this);
  }

  private writePending(): void {
    this.scheduled = false;
    if (this.pending.length === 0 && !this.carry) return;
    if (this.dropped > 0) {
      this.pending.push(`${JSON.stringify({ level: 40, time: Date.now(), msg: `${this.dropped} log lines were dropped while stdout took none` })}\n`);
      this.dropped = 0;
    }
    const lines = Buffer.from(this.pending.join(''));
    let buffer = this.carry ? Buffer.concat([this.carry, lines]) : lines;
    this.pending = [];
    this.pendingBytes = 0;
    this.carry = undefined;
    while (buffer.length > 0) {
      try {
        buffer = buffer.subarray(this.writeSync(this.fd, buffer));
      } catch (error) {
        // stdout is gone (EPIPE …): nothing more can be said there.
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return;
        // Full: keep the rest, first in line, and try again shortly.
        this.carry = buffer;
        this.pendingBytes = buffer.length;
        if (!this.scheduled) {
          this.scheduled = true;
          this.retryLater(() => this.writePending(), RETRY_MS);
        }
        return;
      }
    }
  }
}
