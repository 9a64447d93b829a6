// The statuses in-stream errors stand for: Anthropic's error types (the Claude executor and the
// Messages translators) and Responses codes (the Codex executor's `error` and `response.failed`).
import { anthropicErrorStatus, responsesErrorStatus } from './stream-error-status';

describe('anthropicErrorStatus', () => {
  it.each([
    ['invalid_request_error', 400],
    ['authentication_error', 401],
    ['billing_error', 402],
    ['permission_error', 403],
    ['not_found_error', 404],
    ['request_too_large', 413],
    ['rate_limit_error', 429],
    ['api_error', 500],
    ['timeout_error', 504],
    ['overloaded_error', 529],
  ])('%s is %i, as Anthropic answers it over HTTP', (type, status) => {
    expect(anthropicErrorStatus(type)).toBe(status);
  });

  it.each(['brand_new_error', 'constructor', 'toString', ''])('an unknown type (%j) is the upstream failing: 500', (type) => {
    expect(anthropicErrorStatus(type)).toBe(500);
  });
});

describe('responsesErrorStatus', () => {
  it.each([
    ['context_length_exceeded', 400],
    ['invalid_prompt', 400],
    ['cyber_policy', 400],
    ['usage_not_included', 403],
    ['insufficient_quota', 429],
    ['rate_limit_exceeded', 429],
    ['usage_limit_reached', 429],
    ['server_is_overloaded', 503],
  ])('%s is %i', (code, status) => {
    expect(responsesErrorStatus(code)).toBe(status);
  });

  it.each([undefined, 'response_failed', 'server_error', 'hasOwnProperty'])('a code that names no status (%j) leaves it to the caller', (code) => {
    expect(responsesErrorStatus(code)).toBeUndefined();
  });
});
