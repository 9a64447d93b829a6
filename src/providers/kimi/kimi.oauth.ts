// Kimi Code sign-in (reference/wire-protocols.md §7): a device flow whose every request carries
// the X-Msh-* device headers of the Kimi CLI.
import { randomUUID } from 'node:crypto';
import type { OAuthDefinition } from '../../auth/oauth-definition';

/** One device id per process, as the Kimi CLI keeps one per machine. */
const DEVICE_ID = randomUUID();

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
  // The values the original byokey sends (seed-spec §4.4), known to be accepted.
  headers: {
    'X-Msh-Platform': 'mac',
    'X-Msh-Version': '0.13.0',
    'X-Msh-Device-Name': 'byokey-client',
    'X-Msh-Device-Model': 'MacBookPro',
    'X-Msh-Device-Id': DEVICE_ID,
  },
};
