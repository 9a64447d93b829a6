// A fake of Amp's own API (ampcode.com) for the gateway's pass-through: it records every request
// as it arrived (method, path with its raw query, headers, body bytes) and answers by path —
// `/api/user` a JSON user, `/api/stream` an event stream whose second half waits for the test's
// `release()` (so a test sees the first half arrive before the upstream has finished), and
// `/api/hang` a stream that never ends, to see the gateway cut the call when its client leaves.
// Anything else is echoed back as JSON with status 201 and a header of its own.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FakeUpstreamBase, sendJson, writeFlushed } from './fake-upstream-base';

export interface AmpReceived {
  method: string;
  /** Path and query exactly as they came. */
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export const AMP_USER = { id: 'user-1', email: 'dev@example.com', displayName: 'Dev' };

export class FakeAmpUpstream extends FakeUpstreamBase {
  readonly requests: AmpReceived[] = [];
  /** Streams whose client (the gateway) went away before the fake ended them. */
  cutStreams = 0;
  private releaseStream?: () => void;

  protected override get label(): string {
    return 'fake Amp upstream';
  }

  get last(): AmpReceived {
    const last = this.requests[this.requests.length - 1];
    if (!last) throw new Error('the fake Amp upstream received no request');
    return last;
  }

  /** Lets the `/api/stream` answer waiting for it finish. */
  release(): void {
    this.releaseStream?.();
  }

  waitForCut(timeoutMs = 5000): Promise<void> {
    return this.waitUntil(() => this.cutStreams > 0, () => 'the gateway to close a stream it was reading', timeoutMs);
  }

  waitForRequests(count: number, timeoutMs = 5000): Promise<void> {
    return this.waitUntil(() => this.requests.length >= count, () => `${count} requests (got ${this.requests.length})`, timeoutMs);
  }

  reset(): void {
    this.requests.length = 0;
    this.cutStreams = 0;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const parts: Buffer[] = [];
    for await (const chunk of req) parts.push(chunk as Buffer);
    const received: AmpReceived = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(parts) };
    this.requests.push(received);
    this.notify();
    const path = received.url.split('?')[0];
    if (path === '/api/user') return sendJson(res, 200, AMP_USER);
    if (path === '/api/stream') return this.stream(res);
    if (path === '/api/hang') return this.hang(res);
    sendJson(res, 201, { method: received.method, url: received.url, body: received.body.toString('utf8') }, { 'x-amp-fake': 'echo' });
  }

  private async stream(res: ServerResponse): Promise<void> {
    const released = new Promise<void>((resolve) => (this.releaseStream = resolve));
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    await writeFlushed(res, 'data: {"part":1}\n\n');
    await released;
    res.end('data: {"part":2}\n\n');
  }

  private async hang(res: ServerResponse): Promise<void> {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.once('close', () => {
      if (!res.writableFinished) {
        this.cutStreams++;
        this.notify();
      }
    });
    await writeFlushed(res, 'data: {"part":1}\n\n');
  }
}
