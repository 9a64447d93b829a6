// Qwen Code sign-in (reference/wire-protocols.md §7): a device flow that also carries PKCE, on
// chat.qwen.ai. Pending polls come back as HTTP 400; slow_down multiplies the interval.
import type { AccountFacts, OAuthDefinition, TokenResponse } from '../../auth/oauth-definition';

export const QWEN_OAUTH: OAuthDefinition = {
  provider: 'qwen',
  displayName: 'Qwen Code',
  flow: 'device-code',
  clientId: 'f0304373b74a44d2b584a3fb70ca9e56',
  scopes: ['openid', 'profile', 'email', 'model.completion'],
  pkce: false,
  deviceCodeUrl: 'https://chat.qwen.ai/api/v1/oauth2/device/code',
  devicePkce: true,
  slowDown: { multiply: 1.5, maxSeconds: 10 },
  deviceExpiresIn: 600,
  tokenUrl: 'https://chat.qwen.ai/api/v1/oauth2/token',
  exchangeEncoding: 'form',
  refreshEncoding: 'form',
  refreshable: true,
  accountFacts: qwenAccountFacts,
  notice:
    'Note: Qwen Code\'s free OAuth tier ended on 2026-04-15; this login still works where that endpoint answers. ' +
    'For Qwen with an API key, use the DashScope preset in the README ("Services that closed").',
};

/** The token answer names the API host the account must use (`resource_url`). */
export function qwenAccountFacts(response: TokenResponse): AccountFacts {
  return { claims: typeof response.resource_url === 'string' ? { resource_url: response.resource_url } : {} };
}
