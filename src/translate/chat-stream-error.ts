// How a chat answer from an OpenAI-compatible upstream can fail to be one — an error payload
// inside the stream (`data: {"error":{…}}`, reference/wire-protocols.md §4.1) or inside a 200
// body, a stream that ends without a finish_reason, an answer we cannot translate — as one typed
// error the caller turns into its own (an HTTP status before the first byte, an Anthropic
// `error` event after it). It carries only what the upstream said; mapping it to a client's
// status and error type is the API layer's business. What the upstream said is scrubbed of
// secrets here (common/redact-secrets.ts, plain TypeScript), and the raw payload is kept out of
// log lines.
import { redactOptional, redactSecrets } from '../common/redact-secrets';
import { isObject } from '../protocol/json-object';

export type ChatStreamFailure =
  /** The upstream sent an error payload. */
  | 'error'
  /** The stream ended before any chunk carried a finish_reason. */
  | 'ended_early'
  /** The answer cannot be translated (no choices, tool-call arguments after their block ended). */
  | 'malformed';

export const CHAT_ENDED_EARLY_MESSAGE = 'the upstream chat stream ended without a finish_reason';

export interface ChatStreamErrorDetails {
  failure: ChatStreamFailure;
  /** The HTTP status the upstream stated (`error.status`, or a numeric `error.code` as OpenRouter sends). */
  status?: number;
  /** The upstream's error type (`invalid_request_error`, `server_error`, …). */
  type?: string;
  code?: string;
  param?: string | null;
  /** The payload as received, for callers that classify it further. */
  payload?: unknown;
}

export class ChatStreamError extends Error {
  readonly failure: ChatStreamFailure;
  readonly status?: number;
  readonly type?: string;
  readonly code?: string;
  readonly param: string | null;
  /** The payload as received: unredacted, so not enumerable (a logged error does not print it). */
  declare readonly payload?: unknown;

  constructor(message: string, details: ChatStreamErrorDetails) {
    super(redactSecrets(message));
    this.name = 'ChatStreamError';
    this.failure = details.failure;
    this.status = details.status;
    this.type = redactOptional(details.type);
    this.code = redactOptional(details.code);
    this.param = redactOptional(details.param) ?? null;
    Object.defineProperty(this, 'payload', { value: details.payload, enumerable: false });
  }
}

/**
 * The error an upstream payload reports, or undefined when it reports none. Reads OpenAI's
 * `{error: {message, type, param, code}}`, OpenRouter's numeric `code`, a `status` /
 * `status_code` beside or inside it, a bare `{error: "text"}`, and vLLM's older flat
 * `{object: "error", message, type, code}`.
 */
export function chatErrorOf(payload: unknown): ChatStreamError | undefined {
  if (!isObject(payload)) return undefined;
  if (payload.object === 'error' && (payload.error === undefined || payload.error === null)) {
    const code = payload.code;
    return new ChatStreamError(text(payload.message) ?? 'the upstream reported an error', {
      failure: 'error',
      status: status(code) ?? status(payload.status) ?? status(payload.status_code),
      type: text(payload.type),
      code: typeof code === 'string' && code !== '' ? code : typeof code === 'number' ? String(code) : undefined,
      param: text(payload.param) ?? null,
      payload,
    });
  }
  if (payload.error === undefined || payload.error === null) return undefined;
  const raw = payload.error;
  if (typeof raw === 'string') {
    return new ChatStreamError(raw || 'the upstream reported an error', { failure: 'error', status: status(payload.status) ?? status(payload.status_code), payload });
  }
  const error: Record<string, unknown> = isObject(raw) ? raw : {};
  const code = error.code;
  return new ChatStreamError(text(error.message) ?? 'the upstream reported an error', {
    failure: 'error',
    status: status(error.status) ?? status(error.status_code) ?? status(code) ?? status(payload.status) ?? status(payload.status_code),
    type: text(error.type),
    code: typeof code === 'string' && code !== '' ? code : typeof code === 'number' ? String(code) : undefined,
    param: text(error.param) ?? null,
    payload,
  });
}

export function chatStreamEndedEarly(): ChatStreamError {
  return new ChatStreamError(CHAT_ENDED_EARLY_MESSAGE, { failure: 'ended_early' });
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function status(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d{3}$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 100 && n <= 599 ? n : undefined;
}
