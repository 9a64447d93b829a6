// Which proxy, if any, an outbound connection goes through: an instance's `proxy_url` (or the
// top-level one it inherits), else HTTPS_PROXY / HTTP_PROXY with NO_PROXY exceptions, the way
// curl and undici read them. Plain functions, so the HTTP dispatchers and the WebSocket agents
// decide by the same rule.

/** `proxy_url: none`: connect directly even when the environment names a proxy. */
export const DIRECT = 'none';

/** The proxy variables of the environment, read once (a later change to process.env is not seen). */
export interface ProxyEnv {
  httpProxy?: string;
  httpsProxy?: string;
  noProxy?: string;
}

/** Lower-case names win, as in curl and undici; empty values count as unset. */
export function readProxyEnv(env: NodeJS.ProcessEnv): ProxyEnv {
  const pick = (name: string) => nonEmpty(env[name.toLowerCase()]) ?? nonEmpty(env[name]);
  return { httpProxy: pick('HTTP_PROXY'), httpsProxy: pick('HTTPS_PROXY'), noProxy: pick('NO_PROXY') };
}

/**
 * The proxy URL for a connection to `target` (http(s):// or ws(s)://), or undefined to connect
 * directly. `setting` is the instance's `proxy_url`: a URL is used for every target (NO_PROXY is
 * about the environment's proxy), `none` means direct, undefined defers to the environment.
 */
export function proxyForUrl(target: string, setting: string | undefined, env: ProxyEnv): string | undefined {
  if (setting === DIRECT) return undefined;
  if (setting !== undefined) return setting;
  const url = new URL(target);
  const secure = url.protocol === 'https:' || url.protocol === 'wss:';
  const proxy = secure ? (env.httpsProxy ?? env.httpProxy) : env.httpProxy;
  if (!proxy || bypassed(url, env.noProxy)) return undefined;
  return proxy;
}

/**
 * NO_PROXY as undici's EnvHttpProxyAgent reads it (so HTTP and WebSockets agree): entries split
 * by commas or spaces, `*` for everything, `host` matching itself and its subdomains (a leading
 * `.` or `*.` is dropped), `host:port` only on that port.
 */
export function bypassed(url: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  if (noProxy.trim() === '*') return true;
  const hostname = url.host.replace(/:\d*$/, '').toLowerCase();
  const port = Number.parseInt(url.port, 10) || DEFAULT_PORTS[url.protocol] || 0;
  for (const entry of noProxy.split(/[,\s]/)) {
    if (!entry) continue;
    const parsed = /^(.+):(\d+)$/.exec(entry);
    const host = (parsed ? parsed[1] : entry).replace(/^\*?\./, '').toLowerCase();
    const entryPort = parsed ? Number.parseInt(parsed[2], 10) : 0;
    if (entryPort && entryPort !== port) continue;
    if (hostname === host || hostname.endsWith(`.${host}`)) return true;
  }
  return false;
}

/** A proxy URL fit for a log line: its user and password left out. */
export function describeProxy(proxy: string): string {
  try {
    const url = new URL(proxy);
    return `${url.protocol}//${url.username || url.password ? '[credentials]@' : ''}${url.host}`;
  } catch {
    return 'a proxy';
  }
}

/** An account's or instance's proxy setting for people: `direct` for `none`, else describeProxy. */
export function describeProxySetting(setting: string): string {
  return setting === DIRECT ? 'direct' : describeProxy(setting);
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'ws:': 80, 'https:': 443, 'wss:': 443 };

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
