// A TLS-inspecting forward proxy, as companies run them: `CONNECT host:443` to a host it
// intercepts is answered "200", then the proxy ends the client's TLS itself with a certificate
// for that host (signed by a CA the client was told to trust) and forwards each decrypted
// request — and WebSocket upgrade — to a local fake standing in for the host. Every other
// CONNECT is refused (403): nothing goes out to the network. It records the CONNECTs, the SNI
// each TLS client sent, and the decrypted requests.
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import { FakeUpstreamBase } from './fake-upstream-base';

export interface InterceptedConnect {
  target: string;
  /** False when the proxy refused it (not a host it intercepts). */
  intercepted: boolean;
}

export interface DecryptedRequest {
  /** The CONNECT target the request came through. */
  target: string;
  /** The name the client asked for in its TLS ClientHello. */
  sni?: string;
  method: string;
  path: string;
  host?: string;
  upgrade?: string;
}

export class FakeInterceptingProxy extends FakeUpstreamBase {
  readonly connects: InterceptedConnect[] = [];
  readonly decrypted: DecryptedRequest[] = [];
  private readonly open = new Set<Duplex>();

  /**
   * @param routes CONNECT target (`chatgpt.com:443`) → the plain-http origin that answers for it
   * @param tls the certificate (and key) presented for those targets
   */
  constructor(
    private readonly routes: Record<string, string>,
    private readonly tls: { cert: string; key: string },
  ) {
    super();
  }

  protected override get label(): string {
    return 'fake intercepting proxy';
  }

  /** CONNECT targets the proxy refused. */
  refused(): string[] {
    return this.connects.filter((c) => !c.intercepted).map((c) => c.target);
  }

  override async stop(): Promise<void> {
    for (const socket of this.open) socket.destroy();
    await super.stop();
  }

  protected override setUp(server: Server): void {
    server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => this.onConnect(req, client, head));
  }

  /** A forward proxy that only tunnels: absolute-URI requests are refused too. */
  protected async handle(_req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.writeHead(403).end('this proxy only tunnels (CONNECT)');
  }

  private onConnect(req: IncomingMessage, client: Socket, head: Buffer): void {
    const target = req.url ?? '';
    client.on('error', () => undefined);
    const origin = Object.hasOwn(this.routes, target) ? this.routes[target] : undefined;
    this.connects.push({ target, intercepted: origin !== undefined });
    this.notify();
    if (origin === undefined) {
      client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) client.unshift(head);
    const tls = new TLSSocket(client, { isServer: true, cert: this.tls.cert, key: this.tls.key, ALPNProtocols: ['http/1.1'] });
    tls.on('error', () => client.destroy());
    this.open.add(tls);
    tls.on('close', () => this.open.delete(tls));
    // An HTTP server of its own for the decrypted bytes: requests and upgrades, as the host would see them.
    const inner = createServer((innerReq, innerRes) => this.forward(target, origin, tls, innerReq, innerRes));
    inner.on('upgrade', (innerReq: IncomingMessage, socket: Duplex, rest: Buffer) => this.forwardUpgrade(target, origin, tls, innerReq, socket, rest));
    inner.emit('connection', tls);
  }

  private record(target: string, tls: TLSSocket, req: IncomingMessage): void {
    const sni = (tls as TLSSocket & { servername?: string | false }).servername;
    this.decrypted.push({
      target,
      ...(sni ? { sni } : {}),
      method: req.method ?? '',
      path: req.url ?? '',
      host: req.headers.host,
      ...(req.headers.upgrade ? { upgrade: req.headers.upgrade } : {}),
    });
    this.notify();
  }

  private forward(target: string, origin: string, tls: TLSSocket, req: IncomingMessage, res: ServerResponse): void {
    this.record(target, tls, req);
    const upstream = httpRequest(new URL(req.url ?? '/', origin), { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  }

  private forwardUpgrade(target: string, origin: string, tls: TLSSocket, req: IncomingMessage, socket: Duplex, rest: Buffer): void {
    this.record(target, tls, req);
    const url = new URL(origin);
    const upstream = connect(Number(url.port), url.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (rest.length > 0) upstream.write(rest);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    this.open.add(upstream);
    upstream.on('close', () => {
      this.open.delete(upstream);
      socket.destroy();
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
    socket.on('close', () => upstream.destroy());
  }
}
