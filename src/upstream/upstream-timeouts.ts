// The timeouts of an upstream call, from an instance's settings (issue #6): `timeouts:` per
// phase, else the older `timeout_ms` for both waits, else the defaults. The instance's
// `proxy_url` rides along: like the connect timeout it picks the connection the call leaves
// by, and every call site already passes this object, so no provider can forget the proxy. A
// logged-in account's own proxy (`byokey accounts set-proxy`) wins over the instance's.
import type { ProviderInstanceConfigDto } from '../config/config.schema';
import { DEFAULT_UPSTREAM_TIMEOUT_MS } from '../config/gateway-config';

export interface UpstreamTimeouts {
  /** Opening the connection (undefined: the shared agent's 10 s; a WebSocket handshake's 30 s). */
  connectMs?: number;
  /** Sending the request until the response headers (WebSocket: the response's first frame). */
  firstByteMs: number;
  /** Longest silence between two chunks (WebSocket: frames) of the response. */
  idleMs: number;
  /** The instance's `proxy_url` (a URL, or `none` for direct); undefined: HTTPS_PROXY & co. */
  proxy?: string;
}

/** Whose call it is, when an account's: its own proxy, if it has one. */
export interface CallingAccount {
  proxyUrl?: string;
}

/**
 * `account` is required (undefined for a key's call) so that no call site can forget an
 * account's own proxy.
 */
export function upstreamTimeouts(settings: ProviderInstanceConfigDto, account: CallingAccount | undefined): UpstreamTimeouts {
  const t = settings.timeouts;
  const fallback = settings.timeout_ms ?? DEFAULT_UPSTREAM_TIMEOUT_MS;
  return { connectMs: t?.connect_ms, firstByteMs: t?.first_byte_ms ?? fallback, idleMs: t?.idle_ms ?? fallback, proxy: account?.proxyUrl ?? settings.proxy_url };
}

/** A model-list fetch waits no longer than this for each phase, whatever the instance allows requests. */
const LIST_WAIT_MS = 10_000;

/** The timeouts of a model-list fetch: the instance's, capped (a list is small and nobody should wait on it). */
export function listTimeouts(settings: ProviderInstanceConfigDto, account: CallingAccount | undefined): UpstreamTimeouts {
  const t = upstreamTimeouts(settings, account);
  return { ...t, firstByteMs: Math.min(t.firstByteMs, LIST_WAIT_MS), idleMs: Math.min(t.idleMs, LIST_WAIT_MS) };
}
