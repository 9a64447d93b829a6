// The Codex backend's ways of saying no (reference/wire-protocols.md §1.7), as UpstreamErrors:
// an HTTP error with a FastAPI `detail` or a usage-limit body, an `error` event, or a
// `response.failed` event — with retry-after worked out from `resets_at` / `resets_in_seconds`
// or "try again in 11.054s" so clients and routing know when to come back.
import type { ResponseObject, ResponsesErrorEvent } from '../../protocol/openai-responses';
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
  const retryAfter = retryAfterSeconds(limit, now) ?? headerValue(headers['retry-after']);
  const message = limit?.message ?? parsed.message ?? 'no error message';
  return new UpstreamError(`upstream ${instance} answered ${status}: ${message}`, {
    failure: 'status',
    instance,
    status,
    upstreamMessage: message,
    upstreamType: limit?.type ?? parsed.type,
    upstreamCode: limit?.type ?? parsed.code,
    headers: retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) },
    secret,
  });
}

/** An `error` event inside a started stream (either shape of §1.7). */
export function codexErrorEvent(instance: string, event: ResponsesErrorEvent, { secret, now = Date.now() }: CodexErrorContext = {}): UpstreamError {
  const inner = (event.error ?? {}) as UsageLimitBody;
  const code = inner.code ?? inner.type ?? event.code ?? undefined;
  const status = event.status ?? event.status_code ?? (code === 'usage_limit_reached' ? 429 : undefined);
  const message = inner.message ?? event.message ?? 'the upstream reported an error';
  const retryAfter = retryAfterSeconds(inner, now) ?? headerValue(lowerCaseKeys(event.headers)['retry-after']);
  return new UpstreamError(`upstream ${instance} reported an error: ${message}`, {
    failure: 'stream',
    instance,
    status,
    upstreamMessage: message,
    upstreamCode: code ?? undefined,
    headers: retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) },
    secret,
  });
}

/** Statuses for `response.failed` codes, after the Codex CLI's own classification. */
const FAILED_STATUS: Record<string, number> = {
  context_length_exceeded: 400,
  invalid_prompt: 400,
  cyber_policy: 400,
  insufficient_quota: 429,
  usage_not_included: 403,
  rate_limit_exceeded: 429,
  server_is_overloaded: 503,
};

export function codexFailedResponse(instance: string, response: Partial<ResponseObject>, { secret }: CodexErrorContext = {}): UpstreamError {
  const code = response.error?.code ?? 'response_failed';
  const message = response.error?.message ?? 'the upstream could not complete the response';
  const wait = /try again in (\d+(?:\.\d+)?)\s*(ms|s)\b/i.exec(message);
  const seconds = wait ? Math.ceil(Number(wait[1]) / (wait[2].toLowerCase() === 'ms' ? 1000 : 1)) : undefined;
  return new UpstreamError(`upstream ${instance} failed the response (${code}): ${message}`, {
    failure: 'stream',
    instance,
    status: FAILED_STATUS[code] ?? 502,
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
