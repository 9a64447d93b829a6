// Reading what an upstream said besides its body: which response headers are worth keeping,
// and the error an error answer carries, whatever shape it came in.
import type { UpstreamResponse } from './upstream-http.service';
import { UpstreamError } from './upstream-error';

/** Headers passed on to the client and kept for rate-limit accounting. */
const KEPT_HEADER = /^(retry-after|retry-after-ms|x-ratelimit-|anthropic-ratelimit-|x-codex-)/;

export function keepHeaders(headers: UpstreamResponse['headers']): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name in headers) {
    if (!KEPT_HEADER.test(name)) continue;
    const value = headers[name];
    if (value !== undefined) kept[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return kept;
}

interface ParsedError {
  message?: string;
  type?: string;
  code?: string;
  param?: string | null;
}

/**
 * The error inside an upstream's error body. Understands OpenAI's `{error:{message,type,code}}`
 * (also with `error` a string), FastAPI-style `{detail}`, and a bare `{message}`; anything else
 * is shown as (trimmed) text.
 */
export function parseErrorBody(text: string): ParsedError {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const trimmed = text.trim();
    return trimmed ? { message: trimmed.length > 500 ? `${trimmed.slice(0, 500)}…` : trimmed } : {};
  }
  // A JSON string is a message too (some servers answer `"model overloaded"`).
  if (typeof json === 'string') return json.trim() ? { message: json.trim().slice(0, 500) } : {};
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return {};
  const body = json as Record<string, unknown>;
  const error = body.error;
  if (error !== null && typeof error === 'object') {
    const e = error as Record<string, unknown>;
    return {
      message: stringOr(e.message),
      type: stringOr(e.type),
      code: e.code === undefined || e.code === null ? undefined : String(e.code),
      param: typeof e.param === 'string' ? e.param : null,
    };
  }
  if (typeof error === 'string') return { message: error };
  if (typeof body.detail === 'string') return { message: body.detail };
  if (body.detail !== undefined) return { message: JSON.stringify(body.detail) };
  if (typeof body.message === 'string') return { message: body.message };
  return {};
}

/**
 * The error for an answer with an error status. `secret` is the credential the request sent:
 * upstreams quote it back ("Incorrect API key provided: sk-…"), and it is redacted, whole or
 * masked, from everything the error carries.
 */
export function upstreamStatusError(instance: string, response: UpstreamResponse, text: string, secret?: string): UpstreamError {
  const parsed = parseErrorBody(text);
  const headers: Record<string, string> = {};
  for (const name of ['retry-after', 'retry-after-ms']) {
    const value = response.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const detail = parsed.message ? `: ${parsed.message}` : '';
  return new UpstreamError(`upstream ${instance} answered ${response.status}${detail}`, {
    failure: 'status',
    instance,
    status: response.status,
    upstreamMessage: parsed.message,
    upstreamType: parsed.type,
    upstreamCode: parsed.code,
    upstreamParam: parsed.param,
    headers,
    secret,
  });
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
