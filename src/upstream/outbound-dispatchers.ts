// The connections every outbound call leaves by: an undici dispatcher per (proxy setting,
// connect timeout) for HTTP, and an http.Agent per proxy for WebSockets (`ws` takes a Node
// agent, not an undici dispatcher). Both follow the environment's HTTPS_PROXY / HTTP_PROXY /
// NO_PROXY unless an instance's `proxy_url` says otherwise (outbound-proxy.ts). Made once and
// kept: each dispatcher is a keep-alive pool, and a proxy's tunnels are worth reusing too.
import type { Agent as NodeAgent } from 'node:http';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { Agent, EnvHttpProxyAgent, ProxyAgent, type Dispatcher } from 'undici';
import { DIRECT, proxyForUrl, type ProxyEnv } from './outbound-proxy';
import { envSocksConnector, isSocksProxy, socksConnector, socksWebSocketAgent } from './socks-proxy';

/** Connect timeout of the shared pool. Short on purpose: a dead host should fail over fast. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export class OutboundDispatchers {
  private readonly dispatchers = new Map<string, Dispatcher>();
  private readonly socketAgents = new Map<string, NodeAgent>();

  constructor(readonly env: ProxyEnv) {}

  /** True when the environment names a proxy (for the startup log line). */
  get envProxy(): string | undefined {
    return this.env.httpsProxy ?? this.env.httpProxy;
  }

  /** The dispatcher for an instance's `proxy_url` (undefined: the environment's) and connect timeout. */
  dispatcher(proxy: string | undefined, connectMs = DEFAULT_CONNECT_TIMEOUT_MS): Dispatcher {
    const key = `${connectMs} ${proxy ?? ''}`;
    let dispatcher = this.dispatchers.get(key);
    if (!dispatcher) {
      dispatcher = this.create(proxy, connectMs);
      this.dispatchers.set(key, dispatcher);
    }
    return dispatcher;
  }

  /** The agent for a WebSocket to `url`, or undefined to connect directly. */
  webSocketAgent(url: string, proxy: string | undefined): NodeAgent | undefined {
    const proxyUrl = proxyForUrl(url, proxy, this.env);
    if (!proxyUrl) return undefined;
    let agent = this.socketAgents.get(proxyUrl);
    if (!agent) {
      // Sends `CONNECT host:port` (or the SOCKS5 request) with the URL's user info, and tunnels
      // both ws:// and wss:// (TLS to the upstream inside the tunnel).
      agent = isSocksProxy(proxyUrl) ? socksWebSocketAgent(proxyUrl) : new HttpsProxyAgent(proxyUrl);
      this.socketAgents.set(proxyUrl, agent);
    }
    return agent;
  }

  async close(): Promise<void> {
    for (const agent of this.socketAgents.values()) agent.destroy();
    await Promise.all([...this.dispatchers.values()].map((dispatcher) => dispatcher.close()));
  }

  private create(proxy: string | undefined, connectMs: number): Dispatcher {
    const connect = { timeout: connectMs };
    if (proxy === DIRECT) return new Agent({ connect });
    if (proxy !== undefined && isSocksProxy(proxy)) return new Agent({ connect: socksConnector(proxy, connectMs) });
    // ProxyAgent reads the URL's user info into a Proxy-Authorization header itself.
    if (proxy !== undefined) return new ProxyAgent({ uri: proxy, connect, proxyTls: connect });
    const { httpProxy, httpsProxy, noProxy } = this.env;
    if (!httpProxy && !httpsProxy) return new Agent({ connect });
    if ((httpsProxy && isSocksProxy(httpsProxy)) || (httpProxy && isSocksProxy(httpProxy))) {
      return new Agent({ connect: envSocksConnector((target) => proxyForUrl(target, undefined, this.env), connectMs) });
    }
    // '' rather than undefined: undici would otherwise read process.env again itself. proxyTls
    // bounds the connection to the proxy (the proxied agents replace `connect` with a tunnel).
    return new EnvHttpProxyAgent({ connect, proxyTls: connect, httpProxy: httpProxy ?? '', httpsProxy: httpsProxy ?? '', noProxy: noProxy ?? '' });
  }
}
