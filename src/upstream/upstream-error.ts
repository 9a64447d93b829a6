// What can go wrong talking to an upstream, in terms the gateway can act on: the upstream
// answered with an error status, could not be reached, was too slow, broke its protocol, or
// the call was cancelled because the client left. Executors throw these; the api layer turns
// them into client errors (upstream-error.mapper.ts) and the router (later) into retries.
// Everything an upstream said is scrubbed of secrets here, where the error is built (before
// `super`, so the stack is clean too): every consumer — client, router, logs — sees clean text.
import { redactOptional, redactSecrets } from '../common/redact-secrets';

export type UpstreamFailure =
  /** The upstream answered with a non-2xx status. */
  | 'status'
  /** No connection: refused, DNS, TLS, reset before a response. */
  | 'connect'
  /** No response headers, or no stream data, within the instance's timeout. */
  | 'timeout'
  /** The response broke its protocol: bad JSON, a stream that ended before its terminator. */
  | 'protocol'
  /** An error reported by the upstream inside a stream that had started well. */
  | 'stream'
  /** We cancelled the call (client disconnected, shutdown). */
  | 'aborted';

export interface UpstreamErrorDetails {
  failure: UpstreamFailure;
  /** Provider instance name, for messages and logs. */
  instance: string;
  /** HTTP status the upstream sent, for `status` failures (and in-stream errors that carry one). */
  status?: number;
  /** The upstream's error message, when it gave one. */
  upstreamMessage?: string;
  /** The upstream's error type/code, when it gave them. */
  upstreamType?: string;
  upstreamCode?: string;
  /** The upstream's error `param`, passed on for 4xx answers about the request. */
  upstreamParam?: string | null;
  /** Headers worth passing on (retry-after, retry-after-ms). */
  headers?: Record<string, string>;
  /**
   * The credential the call sent (API key or access token), redacted from every text here in
   * any form the upstream quotes it; key-shaped strings are redacted without it too.
   */
  secret?: string;
  cause?: unknown;
}

export class UpstreamError extends Error {
  readonly failure: UpstreamFailure;
  readonly instance: string;
  readonly status?: number;
  readonly upstreamMessage?: string;
  readonly upstreamType?: string;
  readonly upstreamCode?: string;
  readonly upstreamParam?: string | null;
  readonly headers: Record<string, string>;

  constructor(message: string, details: UpstreamErrorDetails) {
    const { secret } = details;
    const cause = details.cause === undefined ? undefined : redactedCause(details.cause, secret);
    super(redactSecrets(message, secret), cause === undefined ? undefined : { cause });
    this.name = 'UpstreamError';
    this.failure = details.failure;
    this.instance = details.instance;
    this.status = details.status;
    this.upstreamMessage = redactOptional(details.upstreamMessage, secret);
    this.upstreamType = redactOptional(details.upstreamType, secret);
    this.upstreamCode = redactOptional(details.upstreamCode, secret);
    this.upstreamParam = redactOptional(details.upstreamParam, secret);
    this.headers = details.headers ?? {};
  }
}

/**
 * The cause as logged (its message and stack go into log lines): kept as it is when clean, or
 * else replaced by a copy with the secrets redacted (name and system `code` kept). Transport
 * errors can quote a URL, and a URL can carry a key.
 */
function redactedCause(cause: unknown, secret: string | undefined): unknown {
  if (!(cause instanceof Error)) return typeof cause === 'string' ? redactSecrets(cause, secret) : cause;
  const message = redactSecrets(cause.message, secret);
  const stack = cause.stack === undefined ? undefined : redactSecrets(cause.stack, secret);
  if (message === cause.message && stack === cause.stack) return cause;
  const clean = new Error(message) as Error & { code?: unknown };
  clean.name = cause.name;
  clean.stack = stack;
  const code = (cause as { code?: unknown }).code;
  if (typeof code === 'string') clean.code = code;
  return clean;
}

/**
 * The error for a call whose signal aborted: the instance's total time ran out (the router's
 * `timeouts.total_ms`, an AbortSignal.timeout) — a timeout — or the client left — cancelled.
 */
export function cancelled(instance: string, signal: AbortSignal, cause?: unknown): UpstreamError {
  const reason = signal.reason as { name?: unknown } | undefined;
  if (reason?.name === 'TimeoutError') {
    return new UpstreamError(`upstream ${instance} did not finish within its total time (timeouts.total_ms)`, { failure: 'timeout', instance, cause });
  }
  return new UpstreamError(`request to upstream ${instance} was cancelled`, { failure: 'aborted', instance, cause });
}
