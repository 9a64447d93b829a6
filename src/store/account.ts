// An account: one login to a subscription provider (a ChatGPT plan, a Claude Max plan, a GitHub
// Copilot seat …) with the tokens it holds. Several per provider; one is the default.

export type AccountStatus =
  /** Usable; tokens are refreshed as needed. */
  | 'active'
  /** The provider refused a refresh: only `byokey login <provider>` brings it back. */
  | 'needs_relogin'
  /** Switched off by the user; kept, never used. */
  | 'disabled';

export const ACCOUNT_STATUSES: readonly AccountStatus[] = ['active', 'needs_relogin', 'disabled'];

/** The secret part, stored encrypted. */
export interface AccountTokens {
  accessToken: string;
  refreshToken?: string;
  /** OpenID id_token, where the provider issues one (ChatGPT). */
  idToken?: string;
  /**
   * The account's own outbound proxy (`byokey accounts set-proxy`): a proxy URL, or `none` for a
   * direct connection; it wins over the instance's and the top-level `proxy_url` for this
   * account's requests, WebSockets and token refreshes. Sealed with the tokens because it may
   * carry a password; kept across refreshes and new logins.
   */
  proxyUrl?: string;
  /**
   * The secret of an OAuth client registered for this login alone (AWS IAM Identity Center
   * registers one per device; Kiro's IdC logins refresh with it). Kept across refreshes.
   */
  clientSecret?: string;
}

export interface Account {
  /** Provider id: codex, claude, copilot, gemini, qwen, kimi, iflow, antigravity. */
  provider: string;
  /** The account's name within its provider: `default`, or what `--account` said. */
  accountId: string;
  /** A human label, e.g. the login's e-mail address. */
  label?: string;
  isDefault: boolean;
  status: AccountStatus;
  /** Why the status is what it is (e.g. the refresh error), for `byokey accounts list`. */
  statusReason?: string;
  tokens: AccountTokens;
  /** When the access token expires (ms since epoch); undefined = does not expire. */
  expiresAt?: number;
  /** Non-secret facts the provider needs, e.g. `chatgpt_account_id`, `email`, `plan`. */
  claims: Record<string, unknown>;
  createdAt: number;
  refreshedAt?: number;
  updatedAt: number;
  /** Increases with every token write; lets a refresher see that another one got there first. */
  version: number;
}

/** What a login or an import produces; the store adds the bookkeeping. */
export interface NewAccount {
  provider: string;
  accountId: string;
  label?: string;
  tokens: AccountTokens;
  expiresAt?: number;
  claims?: Record<string, unknown>;
}

/** New tokens from a refresh. Fields left undefined keep their stored value. */
export interface TokenUpdate {
  accessToken: string;
  refreshToken?: string;
  idToken?: string;
  expiresAt?: number;
  claims?: Record<string, unknown>;
}
