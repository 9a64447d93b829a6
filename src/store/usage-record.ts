// One client request as usage accounting sees it: who asked (client key), what was asked and
// what served it, how it ended, the tokens the upstream counted, and how long it took. Built when
// the response closes, from what the request noted on its way (usage/usage-recording.ts). It is
// the usage store's row, so it lives with the store, which knows nothing of the rest.

/**
 * Counted the same way whatever the upstream: `input` is every prompt token the upstream took in
 * (OpenAI's prompt_tokens / input_tokens; for Anthropic input_tokens + cache reads + cache
 * writes), so `input + output` is the request's total on every provider.
 */
export interface TokenCounts {
  input: number;
  output: number;
  /** Input tokens read from the upstream's prompt cache (part of `input`). */
  cached: number;
  /** Output tokens spent on reasoning (part of `output`). */
  reasoning: number;
}

/**
 * One upstream attempt of a request, for metrics and tracing (not stored): which instance and
 * credential it went to, when it started, when the upstream answered (a JSON answer whole, a
 * stream's headers) and sent its first event, and how a failed attempt ended.
 */
export interface UpstreamAttempt {
  instance: string;
  model: string;
  credential?: string;
  startedAt: number;
  answeredAt?: number;
  firstEventAt?: number;
  /** A failed attempt: when it failed, the status the upstream (or the gateway) gave, why. */
  failedAt?: number;
  status?: number;
  error?: string;
  /** The failure rested its credential (a 429's reset, an auth failure …). */
  cooledDown?: boolean;
}

export interface UsageRecord {
  /** When the request arrived (ms since epoch). */
  at: number;
  requestId: string;
  /** The client key's id and name; undefined on an open gateway. */
  keyId?: string;
  keyName?: string;
  route: string;
  modelRequested?: string;
  modelServed?: string;
  instance?: string;
  /** The credential's label (`api_keys[1]`, `account:<id>`), never the secret. */
  credential?: string;
  status: number;
  /** The error type when the request failed (HTTP error or in-stream error). */
  errorType?: string;
  tokens: TokenCounts;
  /** Time to the first byte of the answer, when it started. */
  ttfbMs?: number;
  durationMs: number;
  stream: boolean;
  /** Upstream attempts made (1 = no retry). */
  attempts: number;
  /** Each attempt's timings and outcome, for metrics and tracing; not stored. */
  upstreamAttempts?: readonly UpstreamAttempt[];
  /** The W3C `traceparent` header the client sent, for tracing (tracing/); not stored. */
  traceparent?: string;
}
