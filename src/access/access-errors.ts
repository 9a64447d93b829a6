// What a caller is told when access refuses it; the exception filter renders each in the route's
// dialect (OpenAI `authentication_error`/`invalid_api_key`, Anthropic `authentication_error`).
// Unknown and revoked keys get the same answer, so the answer tells a guesser nothing.
import { GatewayError } from '../common/gateway-error';

const WHERE = 'Authorization: Bearer <key> (OpenAI SDKs), x-api-key (Anthropic SDKs) or x-goog-api-key (Gemini SDKs)';

export function missingKey(): GatewayError {
  return new GatewayError(401, `This gateway needs a client key: send it as ${WHERE}. Ask its administrator for one (byokey keys create).`, {
    type: 'authentication_error',
    code: 'invalid_api_key',
  });
}

export function invalidKey(): GatewayError {
  return new GatewayError(401, 'The client key is not valid: it is unknown to this gateway or was revoked. Ask its administrator for a valid key.', {
    type: 'authentication_error',
    code: 'invalid_api_key',
  });
}

export function expiredKey(name: string, expiresAt: number): GatewayError {
  return new GatewayError(401, `The client key "${name}" expired at ${new Date(expiresAt).toISOString()}. Ask the gateway's administrator to extend it or for a new one.`, {
    type: 'authentication_error',
    code: 'invalid_api_key',
  });
}

export function modelOutOfScope(name: string, model: string): GatewayError {
  return new GatewayError(403, `The client key "${name}" may not use the model \`${model}\`; GET /v1/models lists the models it may use.`, {
    type: 'permission_error',
    code: 'model_not_allowed',
    param: 'model',
  });
}

/** Over a limit: 429 naming the limit, with `retry-after` (whole seconds, at least 1). */
export function overLimit(name: string, limit: string, retryAfterMs: number): GatewayError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new GatewayError(429, `The client key "${name}" is over its limit of ${limit}; retry in ${seconds} s.`, {
    type: 'rate_limit_error',
    code: 'rate_limit_exceeded',
    headers: { 'retry-after': String(seconds) },
  });
}

/** How soon a caller refused for unreachable shared limits should try again (Redis reconnects every half second). */
const LIMITS_UNAVAILABLE_RETRY_S = 5;

/**
 * The key has limits, the counters shared between instances cannot be reached, and the gateway is
 * configured to refuse rather than let such keys through unchecked (`redis.limits_on_outage: closed`).
 */
export function limitsUnavailable(name: string): GatewayError {
  return new GatewayError(
    503,
    `The client key "${name}" has usage limits, and they cannot be checked right now: the gateway's shared limit store is unreachable. Retry shortly.`,
    { type: 'server_error', code: 'limits_unavailable', headers: { 'retry-after': String(LIMITS_UNAVAILABLE_RETRY_S) } },
  );
}
