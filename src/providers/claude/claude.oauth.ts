// Claude Pro/Max sign-in as Claude Code does it (reference/wire-protocols.md §3.3): browser PKCE
// on port 54545, or the `code#state` Claude shows for pasting; JSON token requests.
import type { AccountFacts, OAuthDefinition, TokenResponse } from '../../auth/oauth-definition';

export const CLAUDE_OAUTH: OAuthDefinition = {
  provider: 'claude',
  displayName: 'Claude (Pro/Max)',
  flow: 'authorization-code',
  clientId: '9d1c250a-e61b-44d9-88ed-5944d1962f5e',
  scopes: ['user:profile', 'user:inference', 'user:sessions:claude_code', 'user:mcp_servers', 'user:file_upload'],
  authorizeUrl: 'https://claude.ai/oauth/authorize',
  callbackPort: 54545,
  callbackPath: '/callback',
  callbackHost: 'localhost',
  pkce: true,
  authorizeParams: { code: 'true' },
  exchangeIncludesState: true,
  // The token endpoint has moved twice (console.anthropic.com → api.anthropic.com →
  // platform.claude.com); this is Claude Code's current one. `oauth.token_url` overrides it.
  tokenUrl: 'https://platform.claude.com/v1/oauth/token',
  exchangeEncoding: 'json',
  refreshEncoding: 'json',
  refreshIncludesScope: true,
  refreshable: true,
  accountFacts: claudeAccountFacts,
};

export function claudeAccountFacts(response: TokenResponse): AccountFacts {
  const account = response.account as { uuid?: unknown; email_address?: unknown } | undefined;
  const organization = response.organization as { uuid?: unknown; name?: unknown } | undefined;
  const claims: Record<string, unknown> = {};
  if (typeof account?.uuid === 'string') claims.account_uuid = account.uuid;
  if (typeof account?.email_address === 'string') claims.email = account.email_address;
  if (typeof organization?.uuid === 'string') claims.organization_uuid = organization.uuid;
  if (typeof organization?.name === 'string') claims.organization_name = organization.name;
  return { label: typeof account?.email_address === 'string' ? account.email_address : undefined, claims };
}
