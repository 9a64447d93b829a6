// An error in each client dialect, for the body of an HTTP error and the data of an in-stream
// error event: OpenAI's `{"error":{"message","type","param","code"}}` (reference/wire-protocols.md
// §4.1), Anthropic's `{"type":"error","error":{"type","message"}}` (§3.5), whose status for an
// overloaded upstream is 529, and Google's `{"error":{"code","message","status"}}` (§6.4).
import type { AnthropicErrorBody, AnthropicErrorType } from '../protocol/anthropic-messages';
import type { ErrorDetail, ErrorType } from '../protocol/error-detail';
import type { OpenAIErrorBody } from '../protocol/openai-chat';
import { googleStatusOf, type GeminiErrorBody } from '../protocol/gemini-generate-content';

export function toOpenAIError(error: ErrorDetail): OpenAIErrorBody {
  return { error: { message: error.message, type: error.type, param: error.param, code: error.code } };
}

const ANTHROPIC_TYPE: Record<ErrorType, AnthropicErrorType> = {
  invalid_request_error: 'invalid_request_error',
  authentication_error: 'authentication_error',
  permission_error: 'permission_error',
  not_found_error: 'not_found_error',
  rate_limit_error: 'rate_limit_error',
  request_too_large: 'request_too_large',
  server_error: 'api_error',
  timeout_error: 'timeout_error',
  overloaded_error: 'overloaded_error',
};

export function toAnthropicError(error: ErrorDetail, requestId?: string): AnthropicErrorBody {
  // OpenAI calls an unknown model an invalid request (with 404); Anthropic calls it not found.
  const type = error.status === 404 ? 'not_found_error' : ANTHROPIC_TYPE[error.type];
  const body: AnthropicErrorBody = { type: 'error', error: { type, message: error.message } };
  if (requestId) body.request_id = requestId;
  return body;
}

/** The status an Anthropic client expects: the same, except 529 for an overloaded upstream. */
export function anthropicStatus(error: ErrorDetail): number {
  return error.type === 'overloaded_error' ? 529 : error.status;
}

/** Google's error body (google.rpc.Status): the HTTP status as `code`, its canonical name as `status`. */
export function toGoogleError(error: ErrorDetail): GeminiErrorBody {
  const code = error.status === 529 ? 503 : error.status;
  return { error: { code, message: error.message, status: googleStatusOf(code) } };
}
