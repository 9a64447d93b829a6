// The Codex backend's ways of saying no (reference/wire-protocols.md §1.7), as UpstreamErrors:
// an HTTP error with a FastAPI `detail` or a usage-limit body, an `error` event, or a
// `response.failed` event — with retry-after worked out from `resets_at` / `resets_in_seconds`
// or "try again in 11.054s" so clients and routing know when to come back. The backend's 400
// for a model it does not serve becomes a 404 `model_not_found`, what OpenAI's API answers for
// an unknown model and what clients read as "no such model".
import type { ResponseObject, ResponsesErrorEvent } from '../../protocol/openai-responses';
import { responsesErrorStatus } from '../../protocol/stream-error-status';
import { UpstreamError } from '../../upstream/upstream-error';
import { parseErrorBody } from '../../upstream/upstream-response';
import { lowerCaseKeys } from '../../upstream/lower-case-keys';

/** What building an error needs besides the upstream's words. */
export interface CodexErrorContext {
  /** The credential the request sent (access token or API key), redacted from the error's text. */
  secret?: string;
  /** For retry-after from `resets_at`; tests pass a fixed clock. */
  now?: number;
}

interface UsageLimitBody {
  type?: string;
  code?: string;
  message?: string;
  resets_at?: number;
  resets_in_seconds?: number;
  plan_type?: string;
}

/** An error answer before the stream started. */
export function codexHttpError(
  instance: string,
  status: number,
  headers: Record<string, string | string[] | undefined>,
  text: string,
  { secret, now = Date.now() }: CodexErrorContext = {},
): UpstreamError {
  const parsed = parseErrorBody(text);
  const limit = usageLimitOf(text);
  const fromBody = retryAfterSeconds(limit, now);
  const kept: Record<string, string> = {};
  if (fromBody !== undefined) kept['retry-after'] = String(fromBody);
  else {
    // The OpenAI Platform (API keys) says when to come back as headers, the exact wait in ms too.
    const seconds = headerValue(headers['retry-after']);
    const ms = headerValue(headers['retry-after-ms']);
    if (seconds !== undefined) kept['retry-after'] = seconds;
    if (ms !== undefined) kept['retry-after-ms'] = ms;
  }
  const message = limit?.message ?? parsed.message ?? 'no error message';
  const unknownModel = status === 400 && isUnsupportedModel(message);
  return new UpstreamError(`upstream ${instance} answered ${status}: ${message}`, {
    failure: 'status',
    instance,
    status: unknownModel ? 404 : status,
    upstreamMessage: message,
    upstreamType: limit?.type ?? parsed.type,
    // The Platform's `code` (model_not_found, …) where it sent one; the backend's usage-limit body has only a type.
    upstreamCode: unknownModel ? 'model_not_found' : (parsed.code ?? limit?.type),
    upstreamParam: unknownModel ? 'model' : undefined,
    headers: kept,
    secret,
  });
}

/**
 * The backend's words for a model it does not serve: "The 'gpt-x' model is not supported when
 * using Codex with a ChatGPT account." (and the Platform's "does not exist" for a key).
 */
export function isUnsupportedModel(message: string): boolean {
  return /\bmodel\b.*\b(?:is not supported|does not exist)\b/i.test(message);
}

/** An `error` event inside a started stream (either shape of §1.7). */
export function codexErrorEvent(instance: string, event: ResponsesErrorEvent, { secret, now = Date.now() }: CodexErrorContext = {}): UpstreamError {
  const inner = (event.error ?? {}) as UsageLimitBody;
  const code = inner.code ?? inner.type ?? event.code ?? undefined;
  const message = inner.message ?? event.message ?? 'the upstream reported an error';
  const reported = event.status ?? event.status_code ?? responsesErrorStatus(code ?? undefined);
  // Over the WebSocket an unknown model is an error frame with status 400; the same 404 as over HTTP.
  const unknownModel = reported === 400 && isUnsupportedModel(message);
  const status = unknownModel ? 404 : reported;
  const retryAfter = retryAfterSeconds(inner, now) ?? headerValue(lowerCaseKeys(event.headers)['retry-after']);
  return new UpstreamError(`upstream ${instance} reported an error: ${message}`, {
    failure: 'stream',
    instance,
    status,
    upstreamMessage: message,
    upstreamCode: unknownModel ? 'model_not_found' : (code ?? undefined),
    headers: retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) },
    secret,
  });
}

export function codexFailedResponse(instance: string, response: Partial<ResponseObject>, { secret }: CodexErrorContext = {}): UpstreamError {
  const code = response.error?.code ?? 'response_failed';
  const message = response.error?.message ?? 'the upstream could not complete the response';
  const wait = /try again in (\d+(?:\.\d+)?)\s*(ms|s)\b/i.exec(message);
  const seconds = wait ? Math.ceil(Number(wait[1]) / (wait[2].toLowerCase() === 'ms' ? 1000 : 1)) : undefined;
  return new UpstreamError(`upstream ${instance} failed the response (${code}): ${message}`, {
    failure: 'stream',
    instance,
    status: responsesErrorStatus(code) ?? 502,
    upstreamMessage: message,
    upstreamCode: code,
    headers: seconds === undefined ? {} : { 'retry-after': String(seconds) },
    secret,
  });
}

function usageLimitOf(text: string): UsageLimitBody | undefined {
  try {
    const error = (JSON.parse(text) as { error?: unknown }).error;
    return error !== null && typeof error === 'object' ? (error as UsageLimitBody) : undefined;
  } catch {
    return undefined;
  }
}

/** `resets_at` (unix seconds) wins over `resets_in_seconds`, as in CPA. */
function retryAfterSeconds(body: UsageLimitBody | undefined, now: number): number | undefined {
  if (typeof body?.resets_at === 'number') return Math.max(0, Math.ceil(body.resets_at - now / 1000));
  if (typeof body?.resets_in_seconds === 'number') return Math.max(0, Math.ceil(body.resets_in_seconds));
  return undefined;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
