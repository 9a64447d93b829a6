// What a logged-in account lends one upstream call: its current access token and the facts the
// upstream needs. Auth produces it (account-credentials.service.ts); the plugin contract carries
// it to executors (registry/provider-executor.ts re-exports it), so auth needs no registry.

/** A logged-in account's current access token (fresh for at least a few minutes). */
export interface OAuthCredential {
  kind: 'oauth';
  provider: string;
  accountId: string;
  accessToken: string;
  /** Non-secret facts the upstream needs, e.g. `chatgpt_account_id`. */
  claims: Record<string, unknown>;
  expiresAt?: number;
  /** The account's own proxy (a URL, or `none`), which wins over the instance's `proxy_url`. */
  proxyUrl?: string;
}
