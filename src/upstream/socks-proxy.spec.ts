// SOCKS5 from the environment (HTTPS_PROXY=socks5h://…): the shared dispatcher sends each
// connection through the SOCKS proxy unless NO_PROXY names its host, and a WebSocket agent for
// the same environment is a SOCKS one. Against a real SOCKS5 server (test/fakes) and a plain
// HTTP server on loopback.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { SocksProxyAgent } from 'socks-proxy-agent';
import { FakeSocks5Proxy } from '../../test/fakes/socks5-proxy.fake';
import { OutboundDispatchers } from './outbound-dispatchers';

const socks = new FakeSocks5Proxy();
let server: Server;
let port: number;

beforeAll(async () => {
  await socks.start();
  server = createServer((req, res) => res.end(`hello from ${req.url}`));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await socks.stop();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('a SOCKS5 proxy in HTTPS_PROXY / HTTP_PROXY', () => {
  it('carries connections, leaving out the hosts NO_PROXY names', async () => {
    const outbound = new OutboundDispatchers({ httpProxy: socks.proxyUrl('socks5h'), httpsProxy: socks.proxyUrl('socks5h'), noProxy: '127.0.0.1' });
    try {
      const dispatcher = outbound.dispatcher(undefined);
      const proxied = await request(`http://localhost:${port}/via-socks`, { dispatcher });
      expect(await proxied.body.text()).toBe('hello from /via-socks');
      expect(socks.connects.at(-1)).toMatchObject({ addressType: 3, host: 'localhost', port, requestLine: 'GET /via-socks HTTP/1.1' });

      const before = socks.connects.length;
      const direct = await request(`http://127.0.0.1:${port}/direct`, { dispatcher });
      expect(await direct.body.text()).toBe('hello from /direct');
      expect(socks.connects.length).toBe(before);

      expect(outbound.webSocketAgent(`ws://localhost:${port}/ws`, undefined)).toBeInstanceOf(SocksProxyAgent);
      expect(outbound.webSocketAgent(`ws://127.0.0.1:${port}/ws`, undefined)).toBeUndefined();
    } finally {
      await outbound.close();
    }
  });

  it('refuses an environment that mixes a SOCKS and an HTTP proxy, saying so', async () => {
    const outbound = new OutboundDispatchers({ httpProxy: 'http://127.0.0.1:9', httpsProxy: socks.proxyUrl('socks5') });
    try {
      await expect(request(`http://localhost:${port}/mixed`, { dispatcher: outbound.dispatcher(undefined) })).rejects.toThrow(
        'HTTPS_PROXY and HTTP_PROXY name a SOCKS proxy and an HTTP proxy: name one kind of proxy in both',
      );
    } finally {
      await outbound.close();
    }
  });
});
