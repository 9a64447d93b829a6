// The one error type of the OAuth flows and the token client. It carries the provider's error
// code and HTTP status, and whether the login itself is dead (`permanent`: only `byokey login`
// helps) or the failure may pass (a 5xx, the network). Messages tell a person what to do and
// never contain a token, a code or a verifier.
import type { OAuthDefinition } from './oauth-definition';

/**
 * Codes we produce ourselves, besides the providers' own (`invalid_grant`, `access_denied`,
 * `expired_token`, `refresh_token_reused` …).
 */
export type LocalOAuthErrorCode =
  | 'state_mismatch'
  | 'missing_code'
  | 'timeout'
  | 'cancelled'
  | 'callback_port_in_use'
  | 'network_error'
  | 'invalid_response'
  | 'not_configured';

/** Codes that mean the refresh token (or the code) will never work again. */
export const PERMANENT_OAUTH_ERROR_CODES: readonly string[] = [
  'invalid_grant',
  'refresh_token_expired',
  'refresh_token_reused',
  'refresh_token_invalidated',
];

export interface OAuthErrorInit {
  /** Provider id, e.g. `codex`. */
  provider: string;
  /** The provider's error code, or one of ours (LocalOAuthErrorCode). */
  code: string;
  message: string;
  /** HTTP status of the answer that failed, when there was one. */
  status?: number;
  cause?: unknown;
}

export class OAuthError extends Error {
  override readonly name = 'OAuthError';
  readonly provider: string;
  readonly code: string;
  readonly status?: number;
  /** True when the login is dead and retrying cannot help: the account needs `byokey login`. */
  readonly permanent: boolean;

  constructor(init: OAuthErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.provider = init.provider;
    this.code = init.code;
    this.status = init.status;
    this.permanent = isPermanentOAuthFailure(init.code, init.status);
  }
}

/**
 * A 401 from the token endpoint is permanent whatever its code (OpenAI answers a dead refresh
 * token that way); a 5xx or a network failure never is.
 */
export function isPermanentOAuthFailure(code: string | undefined, status: number | undefined): boolean {
  if (status !== undefined && status >= 500) return false;
  if (status === 401) return true;
  return code !== undefined && PERMANENT_OAUTH_ERROR_CODES.includes(code);
}

export interface OAuthErrorBody {
  code?: string;
  description?: string;
  /** `interval` sent with `slow_down` (GitHub). */
  interval?: number;
}

/**
 * Reads both error shapes: RFC 6749's `{"error":"invalid_grant","error_description":…}` and
 * OpenAI's `{"error":{"code":…,"message":…}}` (whose `type` stands in when `code` is null).
 */
export function readOAuthErrorBody(body: unknown): OAuthErrorBody {
  if (typeof body !== 'object' || body === null) return {};
  const record = body as Record<string, unknown>;
  const error = record.error;
  const interval = typeof record.interval === 'number' ? record.interval : undefined;
  if (typeof error === 'string') {
    const description = typeof record.error_description === 'string' ? record.error_description : undefined;
    return { code: error, description, interval };
  }
  if (typeof error === 'object' && error !== null) {
    const nested = error as Record<string, unknown>;
    const code = typeof nested.code === 'string' ? nested.code : typeof nested.type === 'string' ? nested.type : undefined;
    const description = typeof nested.message === 'string' ? nested.message : undefined;
    return { code, description, interval };
  }
  return { interval };
}

/** What we were doing when the token endpoint said no; worded for the message. */
export type TokenEndpointAction = 'exchange' | 'refresh' | 'device-code' | 'device-poll';

const ACTION_WORDING: Record<TokenEndpointAction, string> = {
  exchange: 'exchanging the authorization code for tokens',
  refresh: 'refreshing the access token',
  'device-code': 'requesting a device code',
  'device-poll': 'waiting for the device login',
};

/** Error bodies are the provider's words; keep them short in our messages. */
const DESCRIPTION_LIMIT = 300;

/**
 * The error for a refused token-endpoint call. `secrets` are the values we sent (code,
 * verifier, refresh token, client secret): a server that echoes one back must not put it in a
 * log line, so they are cut out of the description.
 */
export function tokenEndpointError(
  definition: Pick<OAuthDefinition, 'provider' | 'displayName'>,
  action: TokenEndpointAction,
  status: number,
  body: unknown,
  secrets: ReadonlyArray<string | undefined>,
): OAuthError {
  const parsed = readOAuthErrorBody(body);
  const code = parsed.code ?? `http_${status}`;
  const description = parsed.description ? redact(parsed.description, secrets) : undefined;
  const detail = `HTTP ${status}${parsed.code ? ` ${parsed.code}` : ''}${description ? `: ${description}` : ''}`;
  const permanent = isPermanentOAuthFailure(code, status);
  const advice = permanent || action !== 'refresh'
    ? `Run \`byokey login ${definition.provider}\` to log in again.`
    : 'The login itself is still valid; this may be temporary.';
  const what = permanent && action === 'refresh' ? 'the login is no longer valid' : `${ACTION_WORDING[action]} failed`;
  return new OAuthError({
    provider: definition.provider,
    code,
    status,
    message: `${definition.displayName}: ${what} (${detail}). ${advice}`,
  });
}

/** Removes every secret we sent from a text the server wrote, and bounds its length. */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let result = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) result = result.split(secret).join('[redacted]');
  }
  return result.length > DESCRIPTION_LIMIT ? `${result.slice(0, DESCRIPTION_LIMIT)}…` : result;
}

/** The login was cancelled through its AbortSignal (Ctrl-C). */
export function loginCancelled(definition: Pick<OAuthDefinition, 'provider' | 'displayName'>): OAuthError {
  return new OAuthError({ provider: definition.provider, code: 'cancelled', message: `${definition.displayName}: login cancelled.` });
}
