// How to log in to one provider the way its official CLI does: which flow, which endpoints,
// which client id, how token requests are encoded, and how to read the account out of the
// token response. Each provider folder holds its definition (src/providers/<id>/<id>.oauth.ts);
// the flows in this folder run any of them and know no provider by name.
import type { AccountTokens } from '../store/account';

export type OAuthFlowKind =
  /** Browser login with PKCE, answered on a loopback callback (or a pasted redirect / code). */
  | 'authorization-code'
  /** A code the user types at a verification URL while we poll (RFC 8628). */
  | 'device-code';

export type TokenRequestEncoding = 'form' | 'json';

/** The token endpoint's answer, as sent (fields vary by provider). */
export type TokenResponse = Record<string, unknown> & {
  access_token?: string;
  refresh_token?: string;
  id_token?: string;
  expires_in?: number;
  token_type?: string;
  scope?: string;
};

/** What a provider reads out of a token response besides the tokens. */
export interface AccountFacts {
  /** A human label, e.g. the e-mail address. */
  label?: string;
  /** Non-secret facts the provider's requests need (e.g. `chatgpt_account_id`). */
  claims?: Record<string, unknown>;
  /** Access-token expiry (ms since epoch) when the response has no `expires_in` (e.g. a JWT `exp`). */
  expiresAt?: number;
}

export interface OAuthDefinition {
  /** Provider id, as in `byokey login <provider>`. */
  provider: string;
  /** For messages: "ChatGPT (Codex)". */
  displayName: string;
  flow: OAuthFlowKind;
  clientId: string;
  /** Installed-app secrets that are public by design (Google's, iFlow's). */
  clientSecret?: string;
  scopes: string[];
  /** How scopes are joined in requests (space for most). */
  scopeSeparator?: string;

  // --- authorization-code flow ---
  authorizeUrl?: string;
  /** Port of the loopback callback server; the redirect URI names it. */
  callbackPort?: number;
  /** Path of the redirect URI, e.g. `/auth/callback`. */
  callbackPath?: string;
  /** Host written in the redirect URI (the server listens on loopback either way). */
  callbackHost?: 'localhost' | '127.0.0.1';
  /** Send a PKCE S256 challenge (true for all but iFlow and Google's browser flow). */
  pkce: boolean;
  /** The authorize-URL parameter that carries the redirect URI: `redirect_uri`, or iFlow's `redirect`. */
  redirectParam?: string;
  /** Extra authorize-URL parameters, e.g. Codex's `codex_cli_simplified_flow=true`. */
  authorizeParams?: Record<string, string>;
  /** Claude sends `state` in the code exchange too. */
  exchangeIncludesState?: boolean;

  // --- device-code flow ---
  deviceCodeUrl?: string;
  /** Shown when the device-code answer names no verification URI. */
  verificationUri?: string;
  /** Qwen's device flow also carries a PKCE pair. */
  devicePkce?: boolean;
  /** How `slow_down` lengthens the poll interval: +5 s (RFC 8628) or ×1.5 capped (Qwen). */
  slowDown?: { add: number } | { multiply: number; maxSeconds: number };
  /** Seconds a device code lives when the answer does not say. */
  deviceExpiresIn?: number;

  // --- token endpoint ---
  tokenUrl: string;
  exchangeEncoding: TokenRequestEncoding;
  refreshEncoding: TokenRequestEncoding;
  /** Send `scope` with a refresh (Claude). */
  refreshIncludesScope?: boolean;
  /** Authenticate token requests with HTTP Basic client_id:client_secret (iFlow). */
  basicAuth?: boolean;
  /** False when the provider's tokens cannot be refreshed (GitHub's for Copilot do not expire). */
  refreshable: boolean;
  /** Headers on every OAuth request (Kimi's X-Msh-* device headers, a User-Agent). */
  headers?: Record<string, string>;
  /**
   * The proxy for every OAuth request: the providers.yaml `proxy_url` that applies to this
   * provider (a URL, or `none`); undefined follows HTTPS_PROXY / HTTP_PROXY / NO_PROXY.
   */
  proxyUrl?: string;

  /**
   * One line `byokey login` prints before it starts, for a service that changed under its users
   * (Qwen's free tier and iFlow's CLI service closed): the date, what happened, what to do.
   */
  notice?: string;

  /** Reads label, claims and expiry out of a token response. */
  accountFacts?(response: TokenResponse): AccountFacts;

  /**
   * Runs after every successful token answer, at login and at each refresh, and returns what is
   * stored instead: iFlow's requests take the account's API key, which its user-info endpoint
   * hands out for the OAuth access token. `get` makes one GET through the flow's proxy and
   * timeouts; a failure throws an OAuthError. `definition` is the one in use (with the
   * providers.yaml `oauth:` overrides applied), not necessarily the object that holds the hook.
   */
  completeTokens?(definition: OAuthDefinition, obtained: ObtainedTokens, get: (url: string) => Promise<OAuthPostAnswer>): Promise<ObtainedTokens>;

  /**
   * A refresh that is not the standard `refresh_token` grant at `tokenUrl`: the request to make
   * for one stored login (Kiro refreshes a social login at its own auth service and an IAM
   * Identity Center login at AWS SSO-OIDC, with the client registered for that login, in the
   * region the login names). Its answer goes through `tokenAnswer`, then like any token answer.
   */
  refreshRequest?(definition: OAuthDefinition, login: StoredLogin): OAuthRefreshRequest;

  /** Reads a token answer in the provider's own field names (Kiro's camelCase) as an OAuth one. */
  tokenAnswer?(body: Record<string, unknown>): TokenResponse;

  /**
   * Set for a provider byokey keeps logins of (imports, refreshes) but cannot log in to itself:
   * what `byokey login` and the admin login say instead (Kiro: import the Kiro IDE's login).
   */
  importOnly?: string;
}

/** What a custom refresh reads of the stored login. */
export interface StoredLogin {
  refreshToken: string;
  claims: Record<string, unknown>;
  /** The secret of a client registered for this login alone (AccountTokens.clientSecret). */
  clientSecret?: string;
}

/** One refresh POST, as a definition's `refreshRequest` builds it. */
export interface OAuthRefreshRequest {
  url: string;
  encoding: TokenRequestEncoding;
  params: Record<string, string | undefined>;
}

/** Per-instance overrides from providers.yaml (`oauth:`), for proxies and for tests. */
export interface OAuthOverrides {
  authorize_url?: string;
  token_url?: string;
  device_code_url?: string;
  client_id?: string;
  scopes?: string[];
  callback_port?: number;
}

export function applyOAuthOverrides(definition: OAuthDefinition, overrides: OAuthOverrides | undefined): OAuthDefinition {
  if (!overrides) return definition;
  return {
    ...definition,
    authorizeUrl: overrides.authorize_url ?? definition.authorizeUrl,
    tokenUrl: overrides.token_url ?? definition.tokenUrl,
    deviceCodeUrl: overrides.device_code_url ?? definition.deviceCodeUrl,
    clientId: overrides.client_id ?? definition.clientId,
    scopes: overrides.scopes ?? definition.scopes,
    callbackPort: overrides.callback_port ?? definition.callbackPort,
  };
}

/** The redirect URI an authorization-code definition uses. */
export function redirectUri(definition: OAuthDefinition, port = definition.callbackPort): string {
  return `http://${definition.callbackHost ?? 'localhost'}:${port}${definition.callbackPath ?? '/callback'}`;
}

/** What a login or a refresh obtained. */
export interface ObtainedTokens {
  /**
   * After a refresh, `refreshToken` undefined means the server sent none: keep the stored one
   * (OpenAI's refresh answer makes every field optional). After a login it means there is none.
   */
  tokens: AccountTokens;
  /** Access-token expiry, ms since epoch: `expires_in` if sent, else the definition's reading (a JWT `exp`). */
  expiresAt?: number;
  label?: string;
  claims: Record<string, unknown>;
  /** The answer as sent, for provider post-processing (e.g. Qwen's `resource_url`). */
  response: TokenResponse;
}

/** A token endpoint's (or other OAuth URL's) answer, read. */
export interface OAuthPostAnswer {
  status: number;
  /** The parsed body (JSON, or a form-encoded answer as an object); undefined when unreadable. */
  body: Record<string, unknown> | undefined;
}
