// Whether a request was sent by a browser on behalf of another site. The pass-through takes any
// content type (a plain form POST included, which browsers send cross-site without asking) and
// may add the gateway's own Amp key, so a web page could otherwise make a visitor's browser act
// on ampcode.com through a gateway on their machine. Amp itself is no browser and sends neither
// header; a browser always sends one of them on a cross-site request that can change anything.
import type { IncomingHttpHeaders } from 'node:http';

export function isCrossSiteRequest(headers: IncomingHttpHeaders): boolean {
  const site = headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return true;
  const origin = headers.origin;
  if (origin === undefined) return false;
  // `Origin: null` (a sandboxed frame, a file:// page) is another site too.
  if (!URL.canParse(origin)) return true;
  return new URL(origin).host !== headers.host;
}
