// Google "Antigravity" IDE sign-in (reference/wire-protocols.md §7): Google OAuth with the IDE's
// installed-app client and its extra scopes, loopback callback on port 51121.
import type { OAuthDefinition } from '../../auth/oauth-definition';
import { googleAccountFacts } from '../gemini/gemini.oauth';

export const ANTIGRAVITY_OAUTH: OAuthDefinition = {
  provider: 'antigravity',
  displayName: 'Antigravity (Google account)',
  flow: 'authorization-code',
  clientId: '1071006060591-tmhssin2h21lcre235vtolojh4g403ep.apps.googleusercontent.com',
  clientSecret: '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',
  scopes: [
    'https://www.googleapis.com/auth/cloud-platform',
    'https://www.googleapis.com/auth/userinfo.email',
    'https://www.googleapis.com/auth/userinfo.profile',
    'https://www.googleapis.com/auth/cclog',
    'https://www.googleapis.com/auth/experimentsandconfigs',
  ],
  authorizeUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
  callbackPort: 51121,
  callbackPath: '/oauth-callback',
  callbackHost: 'localhost',
  pkce: true,
  authorizeParams: { access_type: 'offline', prompt: 'consent' },
  tokenUrl: 'https://oauth2.googleapis.com/token',
  exchangeEncoding: 'form',
  refreshEncoding: 'form',
  refreshable: true,
  accountFacts: googleAccountFacts,
};
