// Talks to a provider's token endpoint: exchanges an authorization code, refreshes tokens, and
// turns a token answer into what the store keeps (tokens, expiry, label, claims). Knows no
// provider by name; the definition says how to encode and what to send.
import type { AccountTokens } from '../store/account';
import type { OAuthDefinition, TokenResponse } from './oauth-definition';
import { resolveOAuthDeps, type OAuthDeps } from './oauth-deps';
import { OAuthError, tokenEndpointError, type TokenEndpointAction } from './oauth-error';
import { postOAuth } from './oauth-http';

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

export interface TokenClientDeps extends OAuthDeps {
  signal?: AbortSignal;
}

export interface CodeExchange {
  code: string;
  codeVerifier?: string;
  /** Sent only when the definition says `exchangeIncludesState` (Claude). */
  state?: string;
  /** Exactly the redirect URI of the authorize URL. */
  redirectUri: string;
}

export async function exchangeCode(
  definition: OAuthDefinition,
  exchange: CodeExchange,
  deps?: TokenClientDeps,
): Promise<ObtainedTokens> {
  // Key order follows the official clients (Claude's server has been seen to care about less).
  const params: Record<string, string | undefined> = {
    grant_type: 'authorization_code',
    code: exchange.code,
    redirect_uri: exchange.redirectUri,
    client_id: definition.clientId,
    code_verifier: exchange.codeVerifier,
    state: definition.exchangeIncludesState ? exchange.state : undefined,
    client_secret: bodyClientSecret(definition),
  };
  const secrets = [exchange.code, exchange.codeVerifier, definition.clientSecret];
  return tokenRequest(definition, 'exchange', definition.exchangeEncoding, params, secrets, deps);
}

export async function refreshTokens(
  definition: OAuthDefinition,
  refreshToken: string,
  deps?: TokenClientDeps,
): Promise<ObtainedTokens> {
  if (!definition.refreshable) {
    throw new OAuthError({
      provider: definition.provider,
      code: 'not_configured',
      message: `${definition.displayName}: these tokens cannot be refreshed. Run \`byokey login ${definition.provider}\` to log in again.`,
    });
  }
  const params: Record<string, string | undefined> = {
    client_id: definition.clientId,
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    scope: definition.refreshIncludesScope ? joinScopes(definition) : undefined,
    client_secret: bodyClientSecret(definition),
  };
  const secrets = [refreshToken, definition.clientSecret];
  return tokenRequest(definition, 'refresh', definition.refreshEncoding, params, secrets, deps);
}

/**
 * Reads a successful token answer. `access_token` is required; `expires_in` (seconds, also as
 * a numeric string) wins over what accountFacts reads from the tokens.
 */
export function toObtainedTokens(definition: OAuthDefinition, response: TokenResponse, now: number): ObtainedTokens {
  const accessToken = nonEmptyString(response.access_token);
  if (!accessToken) {
    throw new OAuthError({
      provider: definition.provider,
      code: 'invalid_response',
      message: `${definition.displayName}: the token endpoint answered without an access_token. Run \`byokey login ${definition.provider}\` again; if it keeps happening, check the \`oauth.token_url\` override.`,
    });
  }
  const facts = definition.accountFacts?.(response) ?? {};
  const expiresIn = Number(response.expires_in);
  const expiresAt = Number.isFinite(expiresIn) && expiresIn > 0 ? now + expiresIn * 1000 : facts.expiresAt;
  return {
    tokens: {
      accessToken,
      refreshToken: nonEmptyString(response.refresh_token),
      idToken: nonEmptyString(response.id_token),
    },
    expiresAt,
    label: facts.label,
    claims: facts.claims ?? {},
    response,
  };
}

export function joinScopes(definition: OAuthDefinition): string {
  return definition.scopes.join(definition.scopeSeparator ?? ' ');
}

/** The secret goes in the body unless the definition authenticates with HTTP Basic instead. */
function bodyClientSecret(definition: OAuthDefinition): string | undefined {
  return definition.basicAuth ? undefined : definition.clientSecret;
}

async function tokenRequest(
  definition: OAuthDefinition,
  action: TokenEndpointAction,
  encoding: OAuthDefinition['exchangeEncoding'],
  params: Record<string, string | undefined>,
  secrets: ReadonlyArray<string | undefined>,
  deps: TokenClientDeps | undefined,
): Promise<ObtainedTokens> {
  const resolved = resolveOAuthDeps(deps);
  const answer = await postOAuth(
    definition,
    { url: definition.tokenUrl, encoding, params, signal: deps?.signal },
    resolved,
  );
  // GitHub reports errors with HTTP 200, so an `error` field fails even a 2xx.
  const failed = answer.status < 200 || answer.status >= 300 || answer.body?.error !== undefined;
  if (failed) throw tokenEndpointError(definition, action, answer.status, answer.body, secrets);
  if (!answer.body) {
    throw new OAuthError({
      provider: definition.provider,
      code: 'invalid_response',
      status: answer.status,
      message: `${definition.displayName}: the token endpoint's answer was not JSON. Check the \`oauth.token_url\` override in providers.yaml.`,
    });
  }
  return toObtainedTokens(definition, answer.body as TokenResponse, resolved.now());
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
