// iFlow's request signature (reference/wire-protocols.md §7): every chat request names a session
// and the time, and signs both with the API key, as the iFlow CLI does:
//   session-id: session-<uuid>   x-iflow-timestamp: <unix ms>
//   x-iflow-signature: hex(HMAC-SHA256(key = apiKey, "iFlow-Cli:<session-id>:<timestamp>"))
// The clock and the session id come from IflowSigner, an injectable, so tests fix both.
import { createHmac, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';

export const IFLOW_USER_AGENT = 'iFlow-Cli';

/** The signature over one session id and timestamp. */
export function iflowSignature(apiKey: string, sessionId: string, timestampMs: number): string {
  return createHmac('sha256', apiKey).update(`${IFLOW_USER_AGENT}:${sessionId}:${timestampMs}`, 'utf8').digest('hex');
}

/** The identity and signing headers of one request. */
export function iflowSigningHeaders(apiKey: string, sessionId: string, timestampMs: number): Record<string, string> {
  return {
    'user-agent': IFLOW_USER_AGENT,
    'session-id': sessionId,
    'x-iflow-timestamp': String(timestampMs),
    'x-iflow-signature': iflowSignature(apiKey, sessionId, timestampMs),
  };
}

/** Where a request's time and session id come from. A class, so it is a DI token tests can replace. */
@Injectable()
export class IflowSigner {
  now(): number {
    return Date.now();
  }

  /** A new session per request, as the reference describes (`session-<uuid4>`). */
  sessionId(): string {
    return `session-${randomUUID()}`;
  }

  headers(apiKey: string): Record<string, string> {
    return iflowSigningHeaders(apiKey, this.sessionId(), this.now());
  }
}
