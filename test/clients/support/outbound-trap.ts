// The proxy a client CLI is given for everything but 127.0.0.1: it refuses every request and
// CONNECT at once (so telemetry, update checks and catalog fetches fail fast instead of hanging
// offline) and remembers where the client tried to go, for the run's report.
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export class OutboundTrap {
  /** `host:port` of every connection attempted through the proxy, in order. */
  readonly attempts: string[] = [];
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.attempts.push(hostOf(req.url ?? '', req.headers.host));
      res.writeHead(403, { 'content-type': 'text/plain', connection: 'close' });
      res.end('byokey test:clients: no network outside 127.0.0.1');
    });
    this.server.on('connect', (req, socket: Socket) => {
      this.attempts.push(req.url ?? '?');
      socket.on('error', () => undefined);
      socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

function hostOf(url: string, host: string | undefined): string {
  try {
    const parsed = new URL(url);
    return parsed.host;
  } catch {
    return host ?? url;
  }
}
