// The client headers a Responses upstream may need to see (reference/clients.md, Codex CLI): its
// identity, which the Codex provider passes on when the caller is the Codex CLI, and its session
// and turn headers, which keep the backend's cache and routing on the conversation. An allow-list:
// the client's own authorization or API key never leaves.
import type { IncomingHttpHeaders } from 'node:http';

const RESPONSES_CLIENT_HEADERS = [
  'originator',
  'version',
  'user-agent',
  'session-id',
  'session_id',
  'thread-id',
  'x-codex-turn-metadata',
  'x-codex-beta-features',
] as const;

export function responsesClientHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of RESPONSES_CLIENT_HEADERS) {
    const value = headers[name];
    if (typeof value === 'string' && value !== '') out[name] = value;
  }
  return out;
}
