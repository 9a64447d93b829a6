// What can go wrong talking to an upstream, in terms the gateway can act on: the upstream
// answered with an error status, could not be reached, was too slow, broke its protocol, or
// the call was cancelled because the client left. Executors throw these; the api layer turns
// them into client errors (upstream-error.mapper.ts) and the router (later) into retries.

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
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'UpstreamError';
    this.failure = details.failure;
    this.instance = details.instance;
    this.status = details.status;
    this.upstreamMessage = details.upstreamMessage;
    this.upstreamType = details.upstreamType;
    this.upstreamCode = details.upstreamCode;
    this.upstreamParam = details.upstreamParam;
    this.headers = details.headers ?? {};
  }
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
