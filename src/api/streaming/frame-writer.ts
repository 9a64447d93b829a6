// Writes a streamed response's frames (SSE events, or a JSON array's elements) straight to the client's socket. Frames produced in the same
// tick (an upstream chunk usually carries several events) are joined and written once, so the
// socket sees one write — and one chunk of chunked encoding — instead of one per event. The
// reply is taken over from Fastify (`hijack`): it neither serializes nor pipes this response.
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';

export class FrameWriter {
  /** When a frame was last handed over (the keepalive timer reads it). */
  lastWriteAt = Date.now();
  private pending = '';
  private flushScheduled = false;
  /** False once the socket's buffer is over its high-water mark, until it drains. */
  private flowing = true;

  private constructor(private readonly res: ServerResponse) {}

  /** Sends status 200 with these headers (and those already set on the reply, e.g. x-request-id). */
  static start(reply: FastifyReply, headers: Record<string, string>): FrameWriter {
    reply.hijack();
    const res = reply.raw;
    // The head goes out with the first frame, in the same write.
    res.writeHead(200, { ...(reply.getHeaders() as Record<string, string>), ...headers });
    return new FrameWriter(res);
  }

  get open(): boolean {
    return !this.res.destroyed && !this.res.writableEnded;
  }

  /**
   * Queues a frame for this tick's write. Returns false when the client is not keeping up:
   * wait for `drained()` before writing more.
   */
  write(frame: string): boolean {
    this.lastWriteAt = Date.now();
    this.pending += frame;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      // After the microtasks of this tick: the events already at hand are all queued by then.
      process.nextTick(flush, this);
    }
    return this.flowing;
  }

  /** Resolves when the socket has taken what was written; rejects when `signal` aborts. */
  async drained(signal: AbortSignal): Promise<void> {
    if (this.flowing) return;
    await once(this.res, 'drain', { signal });
  }

  /** Writes what is queued and ends the response (no-op when it is closed already). */
  end(): void {
    this.flushScheduled = false;
    const frames = this.pending;
    this.pending = '';
    if (this.open) this.res.end(frames);
  }

  /** Writes what is queued (the tick's flush). */
  flushNow(): void {
    this.flushScheduled = false;
    if (this.pending === '') return;
    const frames = this.pending;
    this.pending = '';
    if (!this.open) return;
    const wasFlowing = this.flowing;
    this.flowing = this.res.write(frames);
    // One listener per stall, not one per write made while stalled (keepalives).
    if (wasFlowing && !this.flowing) this.res.once('drain', () => (this.flowing = true));
  }
}

function flush(writer: FrameWriter): void {
  writer.flushNow();
}
