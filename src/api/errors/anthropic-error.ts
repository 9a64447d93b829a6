// GatewayError in Anthropic's dialect (reference/wire-protocols.md §3.5), for /v1/messages:
// `{"type":"error","error":{"type","message"}}` as the body of an HTTP error and as the data of an
// in-stream `error` event. Anthropic's status for an overloaded upstream is 529.
import type { GatewayError, GatewayErrorType } from '../../common/gateway-error';
import type { AnthropicErrorBody, AnthropicErrorType } from '../../protocol/anthropic-messages';

const ANTHROPIC_TYPE: Record<GatewayErrorType, AnthropicErrorType> = {
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

export function toAnthropicError(error: GatewayError, requestId?: string): AnthropicErrorBody {
  // OpenAI calls an unknown model an invalid request (with 404); Anthropic calls it not found.
  const type = error.status === 404 ? 'not_found_error' : ANTHROPIC_TYPE[error.type];
  const body: AnthropicErrorBody = { type: 'error', error: { type, message: error.message } };
  if (requestId) body.request_id = requestId;
  return body;
}

/** The status an Anthropic client expects: the same, except 529 for an overloaded upstream. */
export function anthropicStatus(error: GatewayError): number {
  return error.type === 'overloaded_error' ? 529 : error.status;
}
