// How a Responses event stream can fail to give an answer — `response.failed`, an `error` event
// (either shape of reference/wire-protocols.md §1.7), or an end before `response.completed` —
// as one typed error the caller turns into its own (an HTTP status before the first byte, an
// in-stream error after it). It carries only what the upstream said; mapping codes to statuses
// is the provider's business.
// What the upstream said is scrubbed of secrets here, and the raw event kept out of log lines.
import { redactOptional, redactSecrets } from '../common/redact-secrets';
import type { ResponseObject, ResponsesStreamEvent } from '../protocol/openai-responses';
import { isObject } from '../protocol/json-object';

export type ResponsesStreamFailure =
  /** `response.failed`: the response object's `error {code, message}`. */
  | 'failed'
  /** An `error` event. */
  | 'error'
  /** The stream ended before `response.completed` / `response.incomplete`. */
  | 'ended_early';

export const ENDED_EARLY_MESSAGE = 'stream closed before response.completed';

export interface ResponsesStreamErrorDetails {
  failure: ResponsesStreamFailure;
  /** The HTTP status the upstream stated (`status` / `status_code` of a wrapped error event). */
  status?: number;
  code?: string;
  type?: string;
  param?: string | null;
  /** Headers a wrapped Codex error event carries (`x-codex-*`, retry hints). */
  headers?: Record<string, string>;
  /** The event as received, for callers that classify it further. */
  event?: ResponsesStreamEvent;
}

export class ResponsesStreamError extends Error {
  readonly failure: ResponsesStreamFailure;
  readonly status?: number;
  readonly code?: string;
  readonly type?: string;
  readonly param: string | null;
  readonly headers: Record<string, string>;
  /** The event as received: unredacted, so not enumerable (a logged error does not print it). */
  declare readonly event?: ResponsesStreamEvent;

  constructor(message: string, details: ResponsesStreamErrorDetails) {
    super(redactSecrets(message));
    this.name = 'ResponsesStreamError';
    this.failure = details.failure;
    this.status = details.status;
    this.code = redactOptional(details.code);
    this.type = redactOptional(details.type);
    this.param = redactOptional(details.param) ?? null;
    this.headers = details.headers ?? {};
    Object.defineProperty(this, 'event', { value: details.event, enumerable: false });
  }
}

/**
 * The error for a `response.failed` or `error` event; undefined for any other event. Reads the
 * Responses spec's `{code, message, param}` and the Codex backend's wrapped
 * `{status|status_code, error: {type, code, message}, headers}`.
 */
export function responsesStreamErrorOf(event: ResponsesStreamEvent): ResponsesStreamError | undefined {
  if (event.type === 'response.failed') {
    const response = (isObject(event.response) ? event.response : {}) as Partial<ResponseObject>;
    const error: Record<string, unknown> = isObject(response.error) ? response.error : {};
    return new ResponsesStreamError(text(error.message) ?? 'the upstream could not complete the response', {
      failure: 'failed',
      status: status(error.status) ?? status(error.status_code),
      code: text(error.code),
      type: text(error.type),
      event,
    });
  }
  if (event.type === 'error') {
    const inner: Record<string, unknown> = isObject(event.error) ? event.error : {};
    return new ResponsesStreamError(text(inner.message) ?? text(event.message) ?? 'the upstream reported an error', {
      failure: 'error',
      status: status(event.status) ?? status(event.status_code) ?? status(inner.status) ?? status(inner.status_code),
      // The wrapped shape often names the problem only by `type` (e.g. usage_limit_reached).
      code: text(inner.code) ?? text(event.code) ?? text(inner.type),
      type: text(inner.type),
      param: text(inner.param) ?? text(event.param) ?? null,
      headers: stringHeaders(event.headers),
      event,
    });
  }
  return undefined;
}

export function streamEndedEarly(): ResponsesStreamError {
  return new ResponsesStreamError(ENDED_EARLY_MESSAGE, { failure: 'ended_early' });
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function status(value: unknown): number | undefined {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 100 && n <= 599 ? n : undefined;
}

function stringHeaders(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObject(value)) return out;
  for (const name in value) {
    const v = value[name];
    if (typeof v === 'string') out[name] = v;
    else if (typeof v === 'number') out[name] = String(v);
  }
  return out;
}
