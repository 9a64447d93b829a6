// For upstreams that take a bearer token whether it is an API key or a login's access token
// (Kimi, iFlow, Qwen, Kiro): one place says where the token comes from — a key from
// providers.yaml as it is (with its own base URL, if it names one), else the routed or default
// account's access token through AccountCredentials.run (fresh, and refreshed once more after a 401).
import type { AccountCredentials } from '../../auth/account-credentials.service';
import { accountOf, type Credential, type OAuthCredential } from '../../contract/provider-executor';

/** What a call is handed: the token to send, and where it came from. */
export interface BearerToken {
  token: string;
  /** The API key's own base URL (providers.yaml `api_keys: [{ key, base_url }]`); never set for an account. */
  baseUrl: string | undefined;
  /** The account the token is of; undefined for an API key. */
  account: OAuthCredential | undefined;
}

/** Runs `call` with the bearer token the routed `credential` stands for. */
export function withBearerToken<T>(
  credentials: AccountCredentials,
  provider: string,
  credential: Credential,
  call: (bearer: BearerToken) => Promise<T>,
  requestId?: string,
): Promise<T> {
  if (credential.kind === 'api-key') return call({ token: credential.key, baseUrl: credential.baseUrl, account: undefined });
  return credentials.run(provider, (account) => call({ token: account.accessToken, baseUrl: undefined, account }), accountOf(credential), requestId);
}
