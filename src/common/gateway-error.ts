// An error meant for the client: an HTTP status plus what every error dialect needs (a message
// a person can act on, a type, a code, the offending parameter). The api layer renders it in the
// caller's dialect through translate/error-bodies.ts.
import type { ErrorDetail, ErrorType } from '../protocol/error-detail';

/** OpenAI's error `type` values; the Anthropic renderer maps them to its own. */
export type GatewayErrorType = ErrorType;

export interface GatewayErrorOptions {
  type: GatewayErrorType;
  code?: string | null;
  param?: string | null;
  /** Response headers that must reach the client (e.g. `retry-after`). */
  headers?: Record<string, string>;
  cause?: unknown;
}

export class GatewayError extends Error implements ErrorDetail {
  readonly type: GatewayErrorType;
  readonly code: string | null;
  readonly param: string | null;
  readonly headers: Record<string, string>;

  constructor(
    readonly status: number,
    message: string,
    options: GatewayErrorOptions,
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.type = options.type;
    this.code = options.code ?? null;
    this.param = options.param ?? null;
    this.headers = options.headers ?? {};
  }
}

export function invalidRequest(message: string, param: string | null = null, code: string | null = null): GatewayError {
  return new GatewayError(400, message, { type: 'invalid_request_error', param, code });
}
