// OAuth definitions for the flow engine's tests, written from wire-protocols.md (§2 Codex,
// §3.3 Claude, §5 Copilot, §7 Qwen) and pointed at a FakeOAuthServer, so the engine is tested
// without waiting for (or depending on) the providers' own definitions.
import { decodeJwtPayload, jwtExpiresAt } from '../../src/auth/jwt';
import type { OAuthDefinition, TokenResponse } from '../../src/auth/oauth-definition';
import { REAL_CLIENT_IDS, type FakeOAuthServer } from './oauth-server.fake';

export function codexTestDefinition(fake: FakeOAuthServer): OAuthDefinition {
  return {
    provider: 'codex',
    displayName: 'ChatGPT (Codex)',
    flow: 'authorization-code',
    clientId: REAL_CLIENT_IDS.openai,
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    authorizeUrl: fake.urls.openai.authorize,
    callbackPort: 0,
    callbackPath: '/auth/callback',
    callbackHost: '127.0.0.1',
    pkce: true,
    authorizeParams: { id_token_add_organizations: 'true', codex_cli_simplified_flow: 'true' },
    tokenUrl: fake.urls.openai.token,
    exchangeEncoding: 'form',
    refreshEncoding: 'json',
    refreshable: true,
    accountFacts: (response: TokenResponse) => {
      const idClaims = decodeJwtPayload(response.id_token);
      const auth = idClaims?.['https://api.openai.com/auth'] as Record<string, unknown> | undefined;
      return {
        label: typeof idClaims?.email === 'string' ? idClaims.email : undefined,
        claims: auth ? { chatgpt_account_id: auth.chatgpt_account_id, chatgpt_plan_type: auth.chatgpt_plan_type } : {},
        expiresAt: jwtExpiresAt(response.access_token),
      };
    },
  };
}

export function claudeTestDefinition(fake: FakeOAuthServer): OAuthDefinition {
  return {
    provider: 'claude',
    displayName: 'Claude',
    flow: 'authorization-code',
    clientId: REAL_CLIENT_IDS.anthropic,
    scopes: ['user:profile', 'user:inference', 'user:sessions:claude_code', 'user:mcp_servers', 'user:file_upload'],
    authorizeUrl: fake.urls.anthropic.authorize,
    callbackPort: 0,
    callbackPath: '/callback',
    callbackHost: '127.0.0.1',
    pkce: true,
    authorizeParams: { code: 'true' },
    exchangeIncludesState: true,
    tokenUrl: fake.urls.anthropic.token,
    exchangeEncoding: 'json',
    refreshEncoding: 'json',
    refreshIncludesScope: true,
    refreshable: true,
    headers: { 'user-agent': 'axios/1.15.2' },
    accountFacts: (response: TokenResponse) => {
      const account = response.account as { email_address?: string; uuid?: string } | undefined;
      return { label: account?.email_address, claims: { account_uuid: account?.uuid } };
    },
  };
}

export function copilotTestDefinition(fake: FakeOAuthServer): OAuthDefinition {
  return {
    provider: 'copilot',
    displayName: 'GitHub Copilot',
    flow: 'device-code',
    clientId: REAL_CLIENT_IDS.github,
    scopes: ['read:user'],
    pkce: false,
    deviceCodeUrl: fake.urls.github.deviceCode,
    verificationUri: 'https://github.com/login/device',
    deviceExpiresIn: 900,
    tokenUrl: fake.urls.github.token,
    exchangeEncoding: 'form',
    refreshEncoding: 'form',
    refreshable: false,
  };
}

export function qwenTestDefinition(fake: FakeOAuthServer): OAuthDefinition {
  return {
    provider: 'qwen',
    displayName: 'Qwen Code',
    flow: 'device-code',
    clientId: REAL_CLIENT_IDS.qwen,
    scopes: ['openid', 'profile', 'email', 'model.completion'],
    pkce: false,
    deviceCodeUrl: fake.urls.qwen.deviceCode,
    devicePkce: true,
    slowDown: { multiply: 1.5, maxSeconds: 10 },
    deviceExpiresIn: 600,
    tokenUrl: fake.urls.qwen.token,
    exchangeEncoding: 'form',
    refreshEncoding: 'form',
    refreshable: true,
  };
}
