// ChatGPT sign-in as the Codex CLI does it (reference/wire-protocols.md §2): browser PKCE with a
// loopback callback on port 1455; the id_token carries the ChatGPT account id every Codex
// request must send.
import { decodeJwtPayload } from '../../auth/jwt';
import type { AccountFacts, OAuthDefinition, TokenResponse } from '../../auth/oauth-definition';

/** The claims namespace OpenAI puts in its id_token and access token. */
const AUTH_CLAIMS = 'https://api.openai.com/auth';

export const CODEX_OAUTH: OAuthDefinition = {
  provider: 'codex',
  displayName: 'ChatGPT (Codex)',
  flow: 'authorization-code',
  clientId: 'app_EMoamEEZ73f0CkXaXp7hrann',
  // The current Codex CLI's scopes; the older `openid profile email offline_access` also works.
  scopes: ['openid', 'profile', 'email', 'offline_access', 'api.connectors.read', 'api.connectors.invoke'],
  authorizeUrl: 'https://auth.openai.com/oauth/authorize',
  callbackPort: 1455,
  callbackPath: '/auth/callback',
  callbackHost: 'localhost',
  pkce: true,
  authorizeParams: {
    id_token_add_organizations: 'true',
    codex_cli_simplified_flow: 'true',
    originator: 'codex_cli_rs',
  },
  tokenUrl: 'https://auth.openai.com/oauth/token',
  exchangeEncoding: 'form',
  refreshEncoding: 'json',
  refreshable: true,
  accountFacts: codexAccountFacts,
};

/** Reads the ChatGPT account id, plan and e-mail from the id_token, and the expiry from the access token. */
export function codexAccountFacts(response: TokenResponse): AccountFacts {
  const id = typeof response.id_token === 'string' ? decodeJwtPayload(response.id_token) : undefined;
  const access = typeof response.access_token === 'string' ? decodeJwtPayload(response.access_token) : undefined;
  const auth = (id?.[AUTH_CLAIMS] ?? access?.[AUTH_CLAIMS]) as Record<string, unknown> | undefined;
  const profile = id?.['https://api.openai.com/profile'] as Record<string, unknown> | undefined;
  const email = typeof id?.email === 'string' ? id.email : typeof profile?.email === 'string' ? profile.email : undefined;
  const claims: Record<string, unknown> = {};
  if (typeof auth?.chatgpt_account_id === 'string') claims.chatgpt_account_id = auth.chatgpt_account_id;
  if (typeof auth?.chatgpt_plan_type === 'string') claims.plan = auth.chatgpt_plan_type;
  const userId = auth?.chatgpt_user_id ?? auth?.user_id;
  if (typeof userId === 'string') claims.chatgpt_user_id = userId;
  if (email) claims.email = email;
  const exp = typeof access?.exp === 'number' ? access.exp * 1000 : undefined;
  return { label: email, claims, expiresAt: exp };
}
