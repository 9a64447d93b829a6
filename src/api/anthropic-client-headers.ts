// The client headers a Claude upstream needs to see from an Anthropic client (its betas and API
// version), lower-cased; never the client's key. /v1/messages and its count_tokens pass them on.
import type { IncomingHttpHeaders } from 'node:http';

const FORWARDED_HEADERS = ['anthropic-beta', 'anthropic-version'];

export function anthropicClientHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of FORWARDED_HEADERS) {
    const value = headers[name];
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}
