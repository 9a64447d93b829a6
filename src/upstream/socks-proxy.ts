// SOCKS5 proxies for outbound connections: an undici connector (HTTP) and a Node agent (WebSockets,
// from socks-proxy-agent), both speaking through the `socks` client, so the two agree on every
// detail. `socks5://` resolves the target's name here and sends the proxy an address (curl's
// rule); `socks5h://` sends the name and lets the proxy resolve it. User info in the URL is the
// SOCKS username/password (RFC 1929). undici 7's own Socks5ProxyAgent is left alone: it is marked
// experimental (a process warning at first use), ignores the connect timeout past the TCP connect,
// and has no socks5h.
import type { Agent as NodeAgent } from 'node:http';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { SocksProxy } from 'socks';
import { buildConnector } from 'undici';

/** The schemes `proxy_url` takes for a SOCKS proxy. */
export const SOCKS_PROTOCOLS = ['socks5:', 'socks5h:'];

export function isSocksProxy(proxy: string): boolean {
  try {
    return SOCKS_PROTOCOLS.includes(new URL(proxy).protocol);
  } catch {
    return false;
  }
}

interface ParsedSocksProxy {
  proxy: SocksProxy;
  /** socks5h: the proxy resolves the target's name. */
  remoteDns: boolean;
}

function parseSocksProxy(proxyUrl: string): ParsedSocksProxy {
  const url = new URL(proxyUrl);
  const proxy: SocksProxy = { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number.parseInt(url.port, 10) || 1080, type: 5 };
  if (url.username) proxy.userId = decodeURIComponent(url.username);
  if (url.password) proxy.password = decodeURIComponent(url.password);
  return { proxy, remoteDns: url.protocol === 'socks5h:' };
}

/**
 * An undici `connect` function that opens each connection through the SOCKS5 proxy, then TLS
 * inside the tunnel for https:// (undici's own connector does the TLS, so ALPN, SNI, session
 * reuse and NODE_EXTRA_CA_CERTS work as on a direct connection). `timeoutMs` bounds the whole
 * open: proxy, handshake, tunnel and TLS.
 */
export function socksConnector(proxyUrl: string, timeoutMs: number): buildConnector.connector {
  const { proxy, remoteDns } = parseSocksProxy(proxyUrl);
  const tls = buildConnector({ timeout: timeoutMs });
  return (options, callback) => {
    const secure = options.protocol === 'https:';
    const port = Number.parseInt(String(options.port), 10) || (secure ? 443 : 80);
    const open = async () => {
      const host = remoteDns || isIP(options.hostname) ? options.hostname : (await lookup(options.hostname)).address;
      const { socket } = await socksClient().createConnection({ proxy, command: 'connect', destination: { host, port }, timeout: timeoutMs });
      return socket;
    };
    open().then(
      (socket) => {
        if (!secure) return callback(null, socket);
        tls({ ...options, httpSocket: socket }, (error, tlsSocket) => {
          if (error) {
            socket.destroy();
            callback(error, null);
          } else callback(null, tlsSocket as NonNullable<typeof tlsSocket>);
        });
      },
      (error: Error) => callback(error, null),
    );
  };
}

/**
 * The connector for HTTPS_PROXY / HTTP_PROXY naming a SOCKS5 proxy: each connection asks
 * `proxyFor` (NO_PROXY applied) and goes through that proxy or, bypassed, directly. SOCKS works
 * on connections, not requests, so one undici Agent with this connector serves every origin.
 */
export function envSocksConnector(proxyFor: (target: string) => string | undefined, timeoutMs: number): buildConnector.connector {
  const direct = buildConnector({ timeout: timeoutMs });
  const viaProxy = new Map<string, buildConnector.connector>();
  return (options, callback) => {
    const host = options.hostname.includes(':') && !options.hostname.startsWith('[') ? `[${options.hostname}]` : options.hostname;
    const target = `${options.protocol}//${host}${options.port ? `:${options.port}` : ''}`;
    const proxy = proxyFor(target);
    if (proxy === undefined) return direct(options, callback);
    if (!isSocksProxy(proxy)) {
      return callback(new Error('HTTPS_PROXY and HTTP_PROXY name a SOCKS proxy and an HTTP proxy: name one kind of proxy in both'), null);
    }
    let connector = viaProxy.get(proxy);
    if (!connector) {
      connector = socksConnector(proxy, timeoutMs);
      viaProxy.set(proxy, connector);
    }
    return connector(options, callback);
  };
}

/** The Node agent for a WebSocket through the SOCKS5 proxy (ws:// and wss://). */
export function socksWebSocketAgent(proxyUrl: string, timeoutMs?: number): NodeAgent {
  // socks-proxy-agent reads socks5 / socks5h the same way as parseSocksProxy above.
  const { SocksProxyAgent } = require('socks-proxy-agent') as typeof import('socks-proxy-agent');
  return new SocksProxyAgent(proxyUrl, timeoutMs === undefined ? {} : { timeout: timeoutMs });
}

/** The `socks` client, loaded at the first SOCKS connection: a gateway with no SOCKS proxy never pays its memory. */
function socksClient(): typeof import('socks').SocksClient {
  return (require('socks') as typeof import('socks')).SocksClient;
}
