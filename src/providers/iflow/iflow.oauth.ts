// iFlow sign-in (reference/wire-protocols.md §7): a browser authorization code without PKCE,
// redirect passed as `redirect`, token requests authenticated with HTTP Basic. iFlow's API takes
// the account's API key, not the OAuth token: after the login and after every refresh the token
// is exchanged for it at GET /api/oauth/getUserInfo, on the token endpoint's host (so an
// `oauth.token_url` override moves both), and the key is what the account stores as its token.
import { OAuthError } from '../../auth/oauth-error';
import type { ObtainedTokens, OAuthDefinition, OAuthPostAnswer } from '../../auth/oauth-definition';

export const IFLOW_OAUTH: OAuthDefinition = {
  provider: 'iflow',
  displayName: 'iFlow',
  flow: 'authorization-code',
  clientId: '10009311001',
  clientSecret: '4Z3YjXycVsQvyGF1etiNlIBB4RsqSDtW',
  scopes: [],
  authorizeUrl: 'https://iflow.cn/oauth',
  callbackPort: 11451,
  callbackPath: '/oauth2callback',
  callbackHost: 'localhost',
  pkce: false,
  redirectParam: 'redirect',
  authorizeParams: { loginMethod: 'phone', type: 'phone' },
  tokenUrl: 'https://iflow.cn/oauth/token',
  exchangeEncoding: 'form',
  refreshEncoding: 'form',
  basicAuth: true,
  refreshable: true,
  completeTokens: withApiKey,
  notice:
    'Note: iFlow\'s CLI service shut down on 2026-04-17; this login still works where its endpoints answer. ' +
    'For iFlow\'s API with a key, use the iFlow preset in the README ("Services that closed").',
};

/** `{success, data:{apiKey, email, phone}}` from getUserInfo. */
interface IflowUserInfo {
  success?: unknown;
  message?: unknown;
  data?: { apiKey?: unknown; email?: unknown; phone?: unknown } | null;
}

export function userInfoUrl(tokenUrl: string, accessToken: string): string {
  const url = new URL('/api/oauth/getUserInfo', tokenUrl);
  url.searchParams.set('accessToken', accessToken);
  return url.toString();
}

async function withApiKey(
  definition: OAuthDefinition,
  obtained: ObtainedTokens,
  get: (url: string) => Promise<OAuthPostAnswer>,
): Promise<ObtainedTokens> {
  const answer = await get(userInfoUrl(definition.tokenUrl, obtained.tokens.accessToken));
  const info = (answer.body ?? {}) as IflowUserInfo;
  const apiKey = typeof info.data?.apiKey === 'string' ? info.data.apiKey.trim() : '';
  if (answer.status < 200 || answer.status >= 300 || info.success === false || apiKey === '') {
    const why = typeof info.message === 'string' && info.message !== '' ? `: ${info.message}` : '';
    throw new OAuthError({
      provider: definition.provider,
      code: 'invalid_response',
      status: answer.status,
      message: `${definition.displayName}: the user-info endpoint gave no API key for this login (HTTP ${answer.status}${why}). Run \`byokey login ${definition.provider}\` again.`,
    });
  }
  const email = typeof info.data?.email === 'string' && info.data.email !== '' ? info.data.email : undefined;
  const phone = typeof info.data?.phone === 'string' && info.data.phone !== '' ? info.data.phone : undefined;
  return {
    ...obtained,
    tokens: { ...obtained.tokens, accessToken: apiKey },
    label: obtained.label ?? email ?? phone,
  };
}
