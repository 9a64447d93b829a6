// Talks to a provider's token endpoint: exchanges an authorization code, refreshes tokens, and
// turns a token answer into what the store keeps (tokens, expiry, label, claims). Knows no
// provider by name; the definition says how to encode and what to send.
import type { ObtainedTokens, OAuthDefinition, StoredLogin, TokenResponse } from './oauth-definition';
import { resolveOAuthDeps, type OAuthDeps } from './oauth-deps';
import { OAuthError, tokenEndpointError, type TokenEndpointAction } from './oauth-error';
import { getOAuth, postOAuth } from './oauth-http';
import type { ResolvedOAuthDeps } from './oauth-deps';

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
  /** The rest of the stored login, for a definition with its own `refreshRequest`. */
  login: Omit<StoredLogin, 'refreshToken'> = { claims: {} },
): Promise<ObtainedTokens> {
  if (!definition.refreshable) {
    throw new OAuthError({
      provider: definition.provider,
      code: 'not_configured',
      message: `${definition.displayName}: these tokens cannot be refreshed. Run \`byokey login ${definition.provider}\` to log in again.`,
    });
  }
  if (definition.refreshRequest) {
    const custom = definition.refreshRequest(definition, { ...login, refreshToken });
    return tokenRequest(definition, 'refresh', custom.encoding, custom.params, [refreshToken, login.clientSecret], deps, custom.url);
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
  url = definition.tokenUrl,
): Promise<ObtainedTokens> {
  const resolved = resolveOAuthDeps(deps);
  const answer = await postOAuth(
    definition,
    { url, encoding, params, signal: deps?.signal },
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
  const response = definition.tokenAnswer ? definition.tokenAnswer(answer.body) : (answer.body as TokenResponse);
  return completeTokens(definition, toObtainedTokens(definition, response, resolved.now()), resolved, deps?.signal);
}

/** The definition's `completeTokens` step, where it has one (iFlow's API key); else the tokens as they are. */
export function completeTokens(
  definition: OAuthDefinition,
  obtained: ObtainedTokens,
  deps: ResolvedOAuthDeps,
  signal: AbortSignal | undefined,
): Promise<ObtainedTokens> {
  if (!definition.completeTokens) return Promise.resolve(obtained);
  return definition.completeTokens(definition, obtained, (url) => getOAuth(definition, url, deps, signal));
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
