// Kimi Code sign-in (reference/wire-protocols.md §7): a device flow whose every request carries
// the Kimi CLI's X-Msh-* device headers and User-Agent (kimi-identity.ts, shared with the plugin).
import type { OAuthDefinition } from '../../auth/oauth-definition';
import { kimiRequestHeaders } from './kimi-identity';

export const KIMI_OAUTH: OAuthDefinition = {
  provider: 'kimi',
  displayName: 'Kimi Code',
  flow: 'device-code',
  clientId: '17e5f671-d194-4dfb-9706-5516cb48c098',
  scopes: ['openid', 'offline_access'],
  pkce: false,
  deviceCodeUrl: 'https://auth.kimi.com/api/oauth/device_authorization',
  slowDown: { add: 5 },
  deviceExpiresIn: 600,
  tokenUrl: 'https://auth.kimi.com/api/oauth/token',
  exchangeEncoding: 'form',
  refreshEncoding: 'form',
  refreshable: true,
  headers: kimiRequestHeaders(),
};
