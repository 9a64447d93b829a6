// What `server.host` and `serve --host` may be: the address the gateway listens on, so a host
// name, an IPv4 or an IPv6 literal — nothing else. Caught here, a typo is one clear line; passed
// on, it is a getaddrinfo stack trace (or a hang) at listen time.
import { isIP } from 'node:net';

/** RFC 1123 labels (underscore allowed: container and compose service names use it). */
const HOSTNAME = /^(?=.{1,253}\.?$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;

/** Why the text cannot be listened on, as "must …" / "contains …"; undefined when it can. */
export function listenHostProblem(host: string): string | undefined {
  // A file that is not UTF-8 decodes with U+FFFD in place of each bad byte.
  if (host.includes('\uFFFD')) return 'contains bytes that are not valid UTF-8';
  if (/[\u0000-\u001f\u007f-\u009f]/.test(host)) return 'contains a control character';
  if (/\s/.test(host)) return 'contains a space';
  if (host === '') return 'must not be empty';
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(host)) return 'must be a host name or address, not a URL (leave out the scheme, e.g. "http://")';
  if (isIP(host) !== 0) return undefined;
  if (host.startsWith('[') && host.endsWith(']') && isIP(host.slice(1, -1)) === 6) return 'must be an IPv6 address without brackets';
  if (/^(\[[^\]]*\]|[^:]*):\d+$/.test(host)) return 'must not include a port (set server.port or --port)';
  if (HOSTNAME.test(host)) return undefined;
  return 'must be a host name, an IPv4 address or an IPv6 address (e.g. localhost, 127.0.0.1, ::1)';
}
