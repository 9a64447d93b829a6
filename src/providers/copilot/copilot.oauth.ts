// GitHub Copilot sign-in: GitHub's device flow with the Copilot editor app's client id
// (reference/wire-protocols.md §5). The GitHub token does not expire and is not refreshed; the
// short-lived Copilot token is exchanged from it per use.
import type { OAuthDefinition } from '../../auth/oauth-definition';

export const COPILOT_OAUTH: OAuthDefinition = {
  provider: 'copilot',
  displayName: 'GitHub Copilot',
  flow: 'device-code',
  clientId: 'Iv1.b507a08c87ecfe98',
  scopes: ['read:user'],
  pkce: false,
  deviceCodeUrl: 'https://github.com/login/device/code',
  verificationUri: 'https://github.com/login/device',
  slowDown: { add: 5 },
  deviceExpiresIn: 900,
  tokenUrl: 'https://github.com/login/oauth/access_token',
  exchangeEncoding: 'form',
  refreshEncoding: 'form',
  refreshable: false,
};
