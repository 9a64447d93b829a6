// The HTTP status an upstream's in-stream error stands for, so an error reported inside a 200
// stream is treated like the same error answered over HTTP (retried, cooled down, shown with the
// right status). One table per protocol, used by every reader of that protocol's streams.

/** HTTP statuses of Anthropic's error types (reference/wire-protocols.md §3.5). */
export const ANTHROPIC_ERROR_STATUS: Readonly<Record<string, number>> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/** The status of an Anthropic error type; 500 for a type we do not know (it is Anthropic's fault until shown otherwise). */
export function anthropicErrorStatus(type: string): number {
  return Object.hasOwn(ANTHROPIC_ERROR_STATUS, type) ? ANTHROPIC_ERROR_STATUS[type] : 500;
}

/**
 * Statuses for the codes of a Responses `response.failed` and the types/codes of an `error` event
 * (§1.7), after the Codex CLI's own classification; CPA falls back on these codes too when the
 * event states no status.
 */
const RESPONSES_ERROR_STATUS: Readonly<Record<string, number>> = {
  context_length_exceeded: 400,
  invalid_prompt: 400,
  cyber_policy: 400,
  usage_not_included: 403,
  insufficient_quota: 429,
  rate_limit_exceeded: 429,
  usage_limit_reached: 429,
  server_is_overloaded: 503,
};

/**
 * The status of a Responses error code; undefined for a code that names none (the caller then
 * uses the status the event stated, or treats it as the upstream's failure).
 */
export function responsesErrorStatus(code: string | undefined): number | undefined {
  return code !== undefined && Object.hasOwn(RESPONSES_ERROR_STATUS, code) ? RESPONSES_ERROR_STATUS[code] : undefined;
}
