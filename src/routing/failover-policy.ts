// Which failures another credential or another model may fix (so the request moves on, unseen by
// the client), and how long a credential rests after its upstream said "not now" — for as long
// as the upstream itself said, when it said.
import { GatewayError } from '../common/gateway-error';
import { UpstreamError } from '../upstream/upstream-error';

/** Statuses that say "this credential or this upstream, right now" rather than "this request". */
const RETRYABLE_STATUS = new Set([401, 403, 408, 409, 429, 500, 502, 503, 504, 529]);

export function isRetryable(error: unknown): boolean {
  if (error instanceof UpstreamError) {
    switch (error.failure) {
      case 'connect':
      case 'timeout':
        return true;
      case 'status':
        return error.status !== undefined && RETRYABLE_STATUS.has(error.status);
      case 'stream':
        // A failure inside a stream that had not reached the client: transient ones only.
        return error.status === undefined || error.status === 429 || error.status === 408 || error.status >= 500;
      case 'protocol':
      case 'aborted':
        return false;
    }
  }
  // A credential that cannot be used (no account, login refused, token server down).
  if (error instanceof GatewayError) return error.status === 401 || error.status === 503;
  return false;
}

/**
 * 429 codes that say the quota is spent, not that requests came too fast: Google's
 * QUOTA_EXHAUSTED (reference/wire-protocols.md §6.4; Gemini CLI gives up on it, where it retries
 * RATE_LIMIT_EXCEEDED after the RetryInfo delay). A short RetryInfo there does not bring the
 * quota back: the credential rests its whole cooldown window at least.
 */
const QUOTA_SPENT = new Set(['QUOTA_EXHAUSTED']);

/**
 * Until when a credential rests after this failure, or undefined when it need not: a 429 rests
 * until the upstream's announced reset (retry-after-ms, retry-after in seconds or as a date —
 * Codex's resets_at arrives as retry-after), else for `defaultMs` — and for no less than
 * `defaultMs` when the upstream says the quota is spent; a rejected key (401/403) rests for the
 * default too, so requests stop landing on it.
 */
export function cooldownUntil(error: unknown, now: number, defaultMs: number): { until: number; reason: string } | undefined {
  // An account that needs a login is left out by its status, not by a timer.
  if (!(error instanceof UpstreamError)) return undefined;
  const status = error.status;
  if (status === 429) {
    const announced = retryAfterMs(error.headers, now);
    const spent = error.upstreamCode !== undefined && QUOTA_SPENT.has(error.upstreamCode);
    const rest = spent ? Math.max(announced ?? 0, defaultMs) : (announced ?? defaultMs);
    return { until: now + rest, reason: error.upstreamCode ?? 'rate limited (429)' };
  }
  if (error.failure === 'status' && (status === 401 || status === 403)) {
    return { until: now + defaultMs, reason: `credential rejected (${status})` };
  }
  return undefined;
}

/** The wait an upstream announced, in ms: `retry-after-ms`, or `retry-after` as seconds or an HTTP date. */
export function retryAfterMs(headers: Record<string, string>, now: number): number | undefined {
  const ms = Number(headers['retry-after-ms']);
  if (headers['retry-after-ms'] !== undefined && Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers['retry-after'];
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
