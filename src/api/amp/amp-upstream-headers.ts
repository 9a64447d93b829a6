// The headers of a request passed through to Amp's own API (ampcode.com), and of its answer
// passed back: the hop-by-hop ones dropped both ways (they describe one connection, not the
// message), the caller's network identity (forwarding headers, browser fingerprints) kept from
// the third party, and never a client key of this gateway sent on. Amp's own key is the
// configured `amp.upstream_key` when there is one, else whatever Amp credentials the client sent.
import type { IncomingHttpHeaders } from 'node:http';

/** Headers that belong to one connection (RFC 9110 §7.6.1), plus `host` and `expect` (undici sets or refuses them). */
const CONNECTION_HEADERS = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'expect']);

/** Who the caller is on the network: not the upstream's business (the seed's list). */
const IDENTITY_HEADERS = new Set(['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port', 'x-real-ip', 'forwarded', 'via', 'priority']);

/** Where a client sends a key: ours, or Amp's. */
const KEY_HEADERS = ['authorization', 'x-api-key', 'x-goog-api-key'] as const;

export interface UpstreamHeaderOptions {
  /** `amp.upstream_key`: replaces whatever credentials the client sent. */
  upstreamKey?: string;
  /** Whether a value is one of this gateway's client keys (those stay here). */
  isClientKey: (value: string) => boolean;
}

export function ampRequestHeaders(headers: IncomingHttpHeaders, options: UpstreamHeaderOptions): Record<string, string> {
  const listed = connectionListed(headers.connection);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || CONNECTION_HEADERS.has(name) || IDENTITY_HEADERS.has(name) || listed.has(name)) continue;
    if (name.startsWith('sec-ch-ua') || name.startsWith('sec-fetch-')) continue;
    // Node joins repeated headers with ", " except set-cookie (never on a request) and cookie ("; ").
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  for (const name of KEY_HEADERS) {
    const value = out[name];
    if (value === undefined) continue;
    if (options.upstreamKey !== undefined || options.isClientKey(keyIn(name, value))) delete out[name];
  }
  if (options.upstreamKey !== undefined) {
    out.authorization = `Bearer ${options.upstreamKey}`;
    out['x-api-key'] = options.upstreamKey;
  }
  return out;
}

/**
 * The upstream's answer headers for the client: all but the connection's own, its request id
 * (the gateway's is the one its log knows) and CORS grants (ampcode.com's are for its own pages;
 * no other site's script may read what the gateway answers).
 */
export function ampResponseHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const listed = connectionListed(headers.connection);
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || CONNECTION_HEADERS.has(name) || listed.has(name) || name === 'x-request-id' || name.startsWith('access-control-')) continue;
    out[name] = value;
  }
  return out;
}

/** The key in a key header: a bearer token's, or the whole value. */
function keyIn(name: string, value: string): string {
  return name === 'authorization' && /^bearer\s/i.test(value) ? value.slice(7).trim() : value.trim();
}

/** Headers the `connection` header names as this connection's own. */
function connectionListed(connection: string | string[] | undefined): Set<string> {
  if (connection === undefined) return new Set();
  const text = Array.isArray(connection) ? connection.join(',') : connection;
  return new Set(text.split(',').map((name) => name.trim().toLowerCase()).filter((name) => name !== ''));
}
