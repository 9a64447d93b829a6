// Why an account cannot give a usable credential right now, as the client will read it: a 401
// that says which command fixes it, or a 503 when the provider's token server is failing.
import { GatewayError } from '../common/gateway-error';

export function noAccount(provider: string): GatewayError {
  return new GatewayError(401, `No account is logged in for provider ${provider}: run: byokey login ${provider}`, {
    type: 'authentication_error',
    code: 'no_account',
  });
}

export function needsRelogin(provider: string, accountId: string, reason?: string): GatewayError {
  const why = reason ? ` (${reason})` : '';
  return new GatewayError(
    401,
    `The ${provider} account "${accountId}" must sign in again${why}: run: byokey login ${provider} --account ${accountId}`,
    { type: 'authentication_error', code: 'needs_relogin' },
  );
}

export function accountDisabled(provider: string, accountId: string): GatewayError {
  return new GatewayError(
    401,
    `The ${provider} account "${accountId}" is disabled: run: byokey accounts use ${provider} <another account>, or byokey login ${provider}`,
    { type: 'authentication_error', code: 'account_disabled' },
  );
}

export function refreshUnavailable(provider: string, accountId: string, detail: string): GatewayError {
  return new GatewayError(
    503,
    `The ${provider} account "${accountId}" has an expired token and the provider's token server did not renew it (${detail}); try again shortly.`,
    { type: 'server_error', code: 'token_refresh_failed' },
  );
}
