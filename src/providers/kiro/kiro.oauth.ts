// Keeping a Kiro login alive (reference/wire-protocols.md §7 "Kiro"). byokey does not log in to
// Kiro itself: it imports the Kiro IDE's login (kiro-ide.importer.ts) and refreshes it the way
// the IDE does, by the login's kind (claim `auth_method`):
// - social (Google / GitHub through Kiro): POST {refreshToken} to Kiro's auth service,
//   `https://prod.<region>.auth.desktop.kiro.dev/refreshToken`;
// - IdC (AWS Builder ID / IAM Identity Center): the SSO-OIDC `refresh_token` grant at
//   `https://oidc.<region>.amazonaws.com/token`, camelCase JSON, with the client the IDE registered
//   for this login (claim `client_id`, its secret sealed with the tokens).
// Both answer camelCase ({accessToken, refreshToken, expiresIn, profileArn?}). An `oauth.token_url`
// override in providers.yaml (a proxy, a test) takes both kinds of refresh.
import type { OAuthDefinition, OAuthRefreshRequest, StoredLogin, TokenResponse } from '../../auth/oauth-definition';
import { OAuthError } from '../../auth/oauth-error';
import { KIRO_DEFAULT_REGION, regionOfProfileArn, validRegion } from './kiro-region';

export const KIRO_SOCIAL_REFRESH_URL = 'https://prod.{region}.auth.desktop.kiro.dev/refreshToken';
export const KIRO_OIDC_TOKEN_URL = 'https://oidc.{region}.amazonaws.com/token';

export const KIRO_OAUTH: OAuthDefinition = {
  provider: 'kiro',
  displayName: 'Kiro',
  // Never run (importOnly): the fields a definition must have.
  flow: 'device-code',
  clientId: '',
  scopes: [],
  pkce: false,
  tokenUrl: KIRO_SOCIAL_REFRESH_URL,
  exchangeEncoding: 'json',
  refreshEncoding: 'json',
  refreshable: true,
  importOnly: 'log in with the Kiro IDE, then run `byokey accounts import kiro` to use its login',
  refreshRequest: kiroRefreshRequest,
  tokenAnswer: kiroTokenAnswer,
  accountFacts: (response) => (typeof response.profile_arn === 'string' && response.profile_arn ? { claims: { profile_arn: response.profile_arn } } : {}),
};

export function kiroRefreshRequest(definition: OAuthDefinition, login: StoredLogin): OAuthRefreshRequest {
  const { claims } = login;
  const region = validRegion(claims.region) ?? regionOfProfileArn(claims.profile_arn) ?? KIRO_DEFAULT_REGION;
  const overridden = definition.tokenUrl !== KIRO_SOCIAL_REFRESH_URL;
  if (claims.auth_method === 'idc') {
    const clientId = typeof claims.client_id === 'string' ? claims.client_id : '';
    if (!clientId || !login.clientSecret) {
      throw new OAuthError({
        provider: 'kiro',
        code: 'invalid_client',
        message: 'Kiro: this IAM Identity Center login has no client registration to refresh with; log in with the Kiro IDE again and re-import it.',
      });
    }
    return {
      url: overridden ? definition.tokenUrl : KIRO_OIDC_TOKEN_URL.replace('{region}', region),
      encoding: 'json',
      params: { clientId, clientSecret: login.clientSecret, grantType: 'refresh_token', refreshToken: login.refreshToken },
    };
  }
  return { url: definition.tokenUrl.replace('{region}', region), encoding: 'json', params: { refreshToken: login.refreshToken } };
}

/** Kiro's and SSO-OIDC's camelCase answer in OAuth's names (an OAuth-style answer passes as it is). */
export function kiroTokenAnswer(body: Record<string, unknown>): TokenResponse {
  if (body.access_token !== undefined || body.accessToken === undefined) return body as TokenResponse;
  const answer: TokenResponse = { access_token: body.accessToken as string };
  if (typeof body.refreshToken === 'string') answer.refresh_token = body.refreshToken;
  if (typeof body.expiresIn === 'number' || typeof body.expiresIn === 'string') answer.expires_in = Number(body.expiresIn);
  if (typeof body.profileArn === 'string') answer.profile_arn = body.profileArn;
  return answer;
}
