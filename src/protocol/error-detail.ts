// What every error dialect needs to say about a failure: its HTTP status, a type, a code, the
// offending parameter and a message a person can act on. The gateway's own GatewayError has this
// shape; the dialects (translate/error-bodies.ts) render it as OpenAI's or Anthropic's body.

/** OpenAI's error `type` values; the Anthropic renderer maps them to its own. */
export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'request_too_large'
  | 'server_error'
  | 'timeout_error'
  | 'overloaded_error';

export interface ErrorDetail {
  readonly status: number;
  readonly type: ErrorType;
  readonly code: string | null;
  readonly param: string | null;
  readonly message: string;
}
