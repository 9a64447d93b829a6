// Why the gateway has no usable credential for a request right now, as the client will read it:
// a 503 that says which command fixes it. Never a 401 `authentication_error`: SDKs show that as
// "your API key is wrong", and the client's key is fine — the gateway's own credential is missing.
// `x-should-retry: false` because retrying cannot help until someone logs in (the SDKs obey it).
import { GatewayError } from '../common/gateway-error';

/** The gateway lacks a usable credential: `code` says which case (registry/instance-readiness.ts's noCredentials is the instance-wide one). */
function unavailable(message: string, code: string): GatewayError {
  return new GatewayError(503, message, { type: 'server_error', code, headers: { 'x-should-retry': 'false' } });
}

export function noAccount(provider: string): GatewayError {
  return unavailable(`No account for ${provider}: run \`byokey login ${provider}\`.`, 'no_credentials');
}

export function needsRelogin(provider: string, accountId: string, reason?: string): GatewayError {
  const why = reason ? ` (${reason})` : '';
  return unavailable(
    `The ${provider} account "${accountId}" must sign in again${why}: run \`byokey login ${provider} --account ${accountId}\`.`,
    'needs_relogin',
  );
}

export function accountDisabled(provider: string, accountId: string): GatewayError {
  return unavailable(
    `The ${provider} account "${accountId}" is disabled: run \`byokey accounts use ${provider} <another account>\`, or \`byokey login ${provider}\`.`,
    'account_disabled',
  );
}

export function refreshUnavailable(provider: string, accountId: string, detail: string): GatewayError {
  return new GatewayError(
    503,
    `The ${provider} account "${accountId}" has an expired token and the provider's token server did not renew it (${detail}); try again shortly.`,
    { type: 'server_error', code: 'token_refresh_failed' },
  );
}
