// A forward proxy, as a company runs (squid, an egress gateway): `CONNECT host:port` opens a
// tunnel (how undici's ProxyAgent and https-proxy-agent reach any target), and a request with an
// absolute URI (`GET http://host/path`) is forwarded as is. It records each request with its
// target and its Proxy-Authorization, and can require credentials (407 without them), so a test
// can tell the gateway went through it, and with which credentials.
import { request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { FakeUpstreamBase } from './fake-upstream-base';

export interface ProxiedRequest {
  /** `CONNECT`, or the method of a forwarded absolute-URI request. */
  method: string;
  /** `host:port` the client asked to reach. */
  target: string;
  /** The Proxy-Authorization header as sent (undefined when none). */
  proxyAuthorization?: string;
  /** False when the proxy refused it (407). */
  allowed: boolean;
  /**
   * A tunnel to a plain-http target carries the client's request in clear text: its request
   * line (`GET /path HTTP/1.1`) and Upgrade header, so a test tells a WebSocket from a POST.
   */
  tunneled?: { requestLine: string; upgrade?: string };
}

export class FakeForwardProxy extends FakeUpstreamBase {
  readonly requests: ProxiedRequest[] = [];
  private readonly tunnels = new Set<Socket>();
  /** `Basic base64(user:password)` the proxy demands; undefined: it lets everyone through. */
  private readonly expected?: string;

  constructor(credentials?: { user: string; password: string }) {
    super();
    if (credentials) this.expected = `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString('base64')}`;
  }

  protected override get label(): string {
    return 'fake forward proxy';
  }

  /** `http://127.0.0.1:PORT`, with `user:password@` when given. */
  proxyUrl(credentials?: { user: string; password: string }): string {
    if (!credentials) return this.origin;
    return this.origin.replace('http://', `http://${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@`);
  }

  /** Targets (`host:port`) reached through the proxy, in order. */
  targets(): string[] {
    return this.requests.filter((r) => r.allowed).map((r) => r.target);
  }

  waitForTarget(target: string, timeoutMs = 5000): Promise<void> {
    return this.waitUntil(() => this.targets().includes(target), () => `a request to ${target}, saw ${this.targets().join(', ') || 'none'}`, timeoutMs);
  }

  override async stop(): Promise<void> {
    for (const socket of this.tunnels) socket.destroy();
    await super.stop();
  }

  protected override setUp(server: Server): void {
    server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => this.tunnel(req, client, head));
  }

  /** Absolute-URI requests: forwarded to their origin, the answer streamed back. */
  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('a proxy request needs an absolute URI');
      return;
    }
    if (!this.admit(req.method ?? 'GET', target.host, req).allowed) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="fake"' }).end();
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = httpRequest(target, { method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }

  private tunnel(req: IncomingMessage, client: Socket, head: Buffer): void {
    const target = req.url ?? '';
    client.on('error', () => undefined);
    const record = this.admit('CONNECT', target, req);
    if (!record.allowed) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="fake"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const [host, port] = splitHostPort(target);
    const upstream = connect(port, host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
      client.once('data', (chunk: Buffer) => this.noteTunneled(record, head.length > 0 ? Buffer.concat([head, chunk]) : chunk));
    });
    this.tunnels.add(upstream);
    upstream.on('close', () => {
      this.tunnels.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
  }

  /** Records the request; not allowed when credentials are required and these are not them. */
  private admit(method: string, target: string, req: IncomingMessage): ProxiedRequest {
    const proxyAuthorization = req.headers['proxy-authorization'];
    const allowed = this.expected === undefined || proxyAuthorization === this.expected;
    const record: ProxiedRequest = { method, target, proxyAuthorization, allowed };
    this.requests.push(record);
    this.notify();
    return record;
  }

  /** The first bytes through a tunnel: an HTTP request when the target is plain http (else TLS). */
  private noteTunneled(record: ProxiedRequest, first: Buffer): void {
    const text = first.toString('latin1');
    const requestLine = text.split('\r\n', 1)[0];
    if (!/^[A-Z]+ \S+ HTTP\/1\.1$/.test(requestLine)) return;
    const upgrade = /\r\nupgrade:\s*([^\r]*)/i.exec(text)?.[1];
    record.tunneled = { requestLine, ...(upgrade ? { upgrade } : {}) };
    this.notify();
  }
}

function splitHostPort(target: string): [string, number] {
  const at = target.lastIndexOf(':');
  const host = target.slice(0, at).replace(/^\[|\]$/g, '');
  return [host, Number(target.slice(at + 1))];
}
