// Gemini CLI's "Login with Google" (reference/wire-protocols.md §6.2): Google's installed-app
// client (its secret is public by design), loopback callback, offline access for a refresh token.
import { decodeJwtPayload } from '../../auth/jwt';
import type { AccountFacts, OAuthDefinition, TokenResponse } from '../../auth/oauth-definition';

export const GEMINI_OAUTH: OAuthDefinition = {
  provider: 'gemini',
  displayName: 'Gemini (Google account)',
  flow: 'authorization-code',
  clientId: '681255809395-oo8ft2oprdrnp9e3aqf6av3hmdib135j.apps.googleusercontent.com',
  clientSecret: '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',
  scopes: [
    'https://www.googleapis.com/auth/cloud-platform',
    'https://www.googleapis.com/auth/userinfo.email',
    'https://www.googleapis.com/auth/userinfo.profile',
  ],
  authorizeUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
  callbackPort: 8085,
  callbackPath: '/oauth2callback',
  callbackHost: '127.0.0.1',
  // Gemini CLI's loopback (browser) flow sends no PKCE (§6.2; only its paste-the-code flow uses
  // S256); byokey sends what Gemini CLI sends.
  pkce: false,
  authorizeParams: { access_type: 'offline', prompt: 'consent' },
  tokenUrl: 'https://oauth2.googleapis.com/token',
  exchangeEncoding: 'form',
  refreshEncoding: 'form',
  refreshable: true,
  accountFacts: googleAccountFacts,
};

/** Google puts the e-mail in the id_token when the email scope was granted. */
export function googleAccountFacts(response: TokenResponse): AccountFacts {
  const id = typeof response.id_token === 'string' ? decodeJwtPayload(response.id_token) : undefined;
  const email = typeof id?.email === 'string' ? id.email : undefined;
  return { label: email, claims: email ? { email } : {} };
}
