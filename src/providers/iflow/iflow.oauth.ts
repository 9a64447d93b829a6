// iFlow sign-in (reference/wire-protocols.md §7): a browser authorization code without PKCE,
// redirect passed as `redirect`, token requests authenticated with HTTP Basic.
import type { OAuthDefinition } from '../../auth/oauth-definition';

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
};
