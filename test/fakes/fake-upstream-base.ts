// What every fake upstream in test/fakes/ shares: an HTTP server on a random loopback port whose
// sockets are tracked so `stop()` ends kept-alive connections at once, a queue of scripted
// answers, waiting for a condition the fake reaches, and the byte-level helpers (read a body,
// send JSON, write an SSE frame and wait until it is on the socket). Each fake keeps its own
// protocol: the base never decides what goes on the wire.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export abstract class FakeUpstreamBase<Scenario = never> {
  /** Scripted answers not yet used, oldest first; each fake decides which one a request takes. */
  protected scripted: Scenario[] = [];
  protected server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly watchers = new Set<() => void>();

  /** Answers one HTTP request (the fake's protocol). */
  protected abstract handle(req: IncomingMessage, res: ServerResponse): Promise<void>;

  /** How failures of `waitUntil` name this fake. */
  protected get label(): string {
    return 'fake upstream';
  }

  /** Called once the server exists, before it listens (upgrade handlers, keep-alive settings). */
  protected setUp(_server: Server): void {}

  /** Queue scenarios for the next requests; later requests get the fake's default answer. */
  script(...scenarios: Scenario[]): this {
    this.scripted.push(...scenarios);
    return this;
  }

  /** Drops scenarios no request used. */
  clearScript(): void {
    this.scripted.length = 0;
  }

  /** Listens on a random port of 127.0.0.1 and returns the fake's URL (`url` where it has one). */
  async start(): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.setUp(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return this.startedUrl();
  }

  /** What `start()` resolves to; fakes whose callers want an API root override it. */
  protected startedUrl(): string {
    return this.origin;
  }

  /** `http://127.0.0.1:PORT` */
  get origin(): string {
    if (!this.server) throw new Error('the fake upstream is not started');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Ends every open connection and closes the server (safe when never started). */
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  /** Wakes every `waitUntil` so it re-checks its condition; call after any counted change. */
  protected notify(): void {
    for (const watcher of [...this.watchers]) watcher();
  }

  /** Resolves once `done()` holds (re-checked on `notify()`), or fails after `timeoutMs`. */
  protected waitUntil(done: () => boolean, what: () => string, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      if (done()) return resolve();
      const watcher = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.watchers.delete(watcher);
        resolve();
      };
      const timer = setTimeout(() => {
        this.watchers.delete(watcher);
        reject(new Error(`${this.label}: expected ${what()}`));
      }, timeoutMs);
      this.watchers.add(watcher);
    });
  }
}

/** The whole request body as text. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (chunk: Buffer) => parts.push(chunk));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

/** A JSON answer with its content-length. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** One SSE frame: `event: <name>` first when named (Anthropic, Responses), else a bare `data:` line. */
export function sseFrame(data: object, event?: string): string {
  return `${event === undefined ? '' : `event: ${event}\n`}data: ${JSON.stringify(data)}\n\n`;
}

/** Writes and waits until the bytes are on the socket, so a later drop cannot swallow them. */
export function writeFlushed(res: ServerResponse, text: string): Promise<void> {
  return new Promise((resolve) => res.write(text, () => resolve()));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `text` cut into at most `count` pieces of equal size (how the fakes stream arguments). */
export function pieces(text: string, count: number): string[] {
  if (text.length < count) return [text];
  const size = Math.ceil(text.length / count);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/** `text` cut after each space, as models stream words (two pieces when it has no space). */
export function words(text: string): string[] {
  const split = text.split(/(?<= )/);
  return split.length > 1 ? split : pieces(text, 2);
}
