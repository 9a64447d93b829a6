// A SOCKS5 proxy (RFC 1928), with the username/password login of RFC 1929 when given
// credentials: the greeting (version, the methods the client offers), the method choice, the
// login, then `CONNECT` to an IPv4 address, a domain name or an IPv6 address, answered with
// "succeeded" and the tunnel. It records each CONNECT — the target as the client sent it (a name
// stays a name: that is what socks5h means) and its port, the login used — so a test can tell
// the gateway went through it. Domain names are resolved to IPv4, where the fakes listen.
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface SocksConnect {
  /** 1 IPv4, 3 domain name, 4 IPv6 (ATYP). */
  addressType: 1 | 3 | 4;
  host: string;
  port: number;
  /** The RFC 1929 login the client sent, if it used that method. */
  user?: string;
  password?: string;
  /** The client's first bytes through the tunnel when they are an HTTP/1.1 request line. */
  requestLine?: string;
  upgrade?: string;
}

const VERSION = 5;
const NO_AUTH = 0x00;
const USER_PASS = 0x02;
const NO_ACCEPTABLE = 0xff;

export class FakeSocks5Proxy {
  readonly connects: SocksConnect[] = [];
  /** Logins refused (wrong user or password). */
  refusedLogins = 0;
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly credentials?: { user: string; password: string }) {}

  async start(): Promise<void> {
    const server = createServer((socket) => this.serve(socket));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  }

  get port(): number {
    if (!this.server) throw new Error('the fake SOCKS5 proxy is not started');
    return (this.server.address() as AddressInfo).port;
  }

  /** `socks5://` (or another scheme) to this proxy, with the login when given. */
  proxyUrl(scheme: 'socks5' | 'socks5h', credentials?: { user: string; password: string }): string {
    const login = credentials ? `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@` : '';
    return `${scheme}://${login}127.0.0.1:${this.port}`;
  }

  /** `host:port` of each CONNECT, in order. */
  targets(): string[] {
    return this.connects.map((c) => `${c.host}:${c.port}`);
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  private serve(client: Socket): void {
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    client.on('error', () => undefined);
    let buffer = Buffer.alloc(0);
    let stage: 'greeting' | 'login' | 'request' | 'tunnel' = 'greeting';
    let login: { user: string; password: string } | undefined;

    const onData = (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (stage === 'greeting') {
          // VER NMETHODS METHODS…
          if (buffer.length < 2 || buffer.length < 2 + buffer[1]) return;
          if (buffer[0] !== VERSION) return void client.destroy();
          const methods = [...buffer.subarray(2, 2 + buffer[1])];
          buffer = buffer.subarray(2 + buffer[1]);
          const wanted = this.credentials ? USER_PASS : NO_AUTH;
          if (!methods.includes(wanted)) return void client.end(Buffer.from([VERSION, NO_ACCEPTABLE]));
          client.write(Buffer.from([VERSION, wanted]));
          stage = this.credentials ? 'login' : 'request';
        } else if (stage === 'login') {
          // VER(1) ULEN UNAME PLEN PASSWD
          if (buffer.length < 2) return;
          const ulen = buffer[1];
          if (buffer.length < 3 + ulen) return;
          const plen = buffer[2 + ulen];
          if (buffer.length < 3 + ulen + plen) return;
          login = { user: buffer.subarray(2, 2 + ulen).toString('utf8'), password: buffer.subarray(3 + ulen, 3 + ulen + plen).toString('utf8') };
          buffer = buffer.subarray(3 + ulen + plen);
          const ok = login.user === this.credentials?.user && login.password === this.credentials?.password;
          if (!ok) {
            this.refusedLogins += 1;
            return void client.end(Buffer.from([0x01, 0x01]));
          }
          client.write(Buffer.from([0x01, 0x00]));
          stage = 'request';
        } else if (stage === 'request') {
          // VER CMD RSV ATYP DST.ADDR DST.PORT
          if (buffer.length < 5) return;
          const atyp = buffer[3];
          const addressLength = atyp === 1 ? 4 : atyp === 4 ? 16 : atyp === 3 ? 1 + buffer[4] : -1;
          if (addressLength < 0 || buffer[1] !== 0x01) return void client.end(Buffer.from([VERSION, 0x07, 0, 1, 0, 0, 0, 0, 0, 0]));
          if (buffer.length < 4 + addressLength + 2) return;
          const raw = buffer.subarray(4, 4 + addressLength);
          const host =
            atyp === 1 ? [...raw].join('.') : atyp === 3 ? raw.subarray(1).toString('latin1') : (raw.toString('hex').match(/.{4}/g) ?? []).join(':');
          const port = buffer.readUInt16BE(4 + addressLength);
          buffer = buffer.subarray(4 + addressLength + 2);
          const record: SocksConnect = { addressType: atyp as 1 | 3 | 4, host, port, ...(login ?? {}) };
          this.connects.push(record);
          stage = 'tunnel';
          client.off('data', onData);
          client.pause();
          this.tunnel(client, record, buffer);
          return;
        } else return;
      }
    };
    client.on('data', onData);
  }

  private tunnel(client: Socket, record: SocksConnect, rest: Buffer): void {
    const upstream = connect({ host: record.host, port: record.port, family: record.addressType === 4 ? 6 : 4 }, () => {
      // Succeeded, bound to 0.0.0.0:0 (clients do not use it).
      client.write(Buffer.from([VERSION, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0]));
      if (rest.length > 0) upstream.write(rest);
      client.once('data', (first: Buffer) => {
        const text = first.toString('latin1');
        const requestLine = text.split('\r\n', 1)[0];
        if (/^[A-Z]+ \S+ HTTP\/1\.1$/.test(requestLine)) {
          record.requestLine = requestLine;
          const upgrade = /\r\nupgrade:\s*([^\r]*)/i.exec(text)?.[1];
          if (upgrade) record.upgrade = upgrade;
        }
      });
      upstream.pipe(client);
      client.pipe(upstream);
      client.resume();
    });
    this.sockets.add(upstream);
    upstream.on('close', () => {
      this.sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.end(Buffer.from([VERSION, 0x05, 0x00, 0x01, 0, 0, 0, 0, 0, 0])));
    client.on('close', () => upstream.destroy());
  }
}
