// The storage contract for accounts. The embedded driver is SQLite (sqlite/); a PostgreSQL one
// joins for multi-instance deployments. Abstract class rather than interface so it can be a DI
// token.
import type { Account, AccountStatus, NewAccount, TokenUpdate } from './account';

/** The right to refresh one account, as the store keeps it. */
export interface RefreshLease {
  /** Who holds it: an opaque name to the store (the refresher puts its host, pid and instance in it). */
  holder: string;
  /** When it runs out unless the holder renews it (ms since epoch). */
  until: number;
  /** When the holder last took or renewed it; undefined for a lease written before heartbeats. */
  heartbeatAt?: number;
}

export abstract class AccountStore {
  /**
   * Accounts of one provider, or all: by provider, then its default first, then by account id. An
   * account whose tokens cannot be opened (another secret key sealed them, e.g. mid-rotation) is
   * left out and reported, not thrown, so it costs that one account only (unreadable-secrets.ts);
   * `get`, `getDefault` and `updateTokens` of that account throw the StoreError.
   */
  abstract list(provider?: string): Promise<Account[]>;

  abstract get(provider: string, accountId: string): Promise<Account | undefined>;

  /** The provider's default account, if it has any account. */
  abstract getDefault(provider: string): Promise<Account | undefined>;

  /**
   * Creates the account, or replaces the tokens of an existing one of the same name (a fresh
   * login): status back to active. The first account of a provider becomes its default.
   */
  abstract save(account: NewAccount): Promise<Account>;

  /**
   * Writes refreshed tokens. With `expectedVersion`, writes only if nobody wrote since that
   * version and returns undefined otherwise (the caller then reads the newer tokens).
   */
  abstract updateTokens(
    provider: string,
    accountId: string,
    update: TokenUpdate,
    expectedVersion?: number,
  ): Promise<Account | undefined>;

  /**
   * Sets the status. With `expectedVersion`, only if the tokens were not rewritten since (so a
   * refresh refused for old tokens cannot mark a fresh login as needing one). True when written.
   */
  abstract setStatus(
    provider: string,
    accountId: string,
    status: AccountStatus,
    reason?: string,
    expectedVersion?: number,
  ): Promise<boolean>;

  /**
   * Sets the account's own proxy (a URL, or `none` for direct), or with undefined drops it so the
   * instance's applies again. Leaves the version alone: a refresh in flight must still be able to
   * write its new tokens (it keeps the proxy it finds). False when the account does not exist.
   */
  abstract setProxy(provider: string, accountId: string, proxyUrl: string | undefined): Promise<boolean>;

  /**
   * Merges facts learned about the account after its login (Code Assist's project id, found once
   * by onboarding) over its claims. Leaves tokens and version alone, like `setProxy`: a refresh
   * in flight still writes (and keeps these claims). False when the account does not exist.
   */
  abstract mergeClaims(provider: string, accountId: string, claims: Record<string, unknown>): Promise<boolean>;

  /** Makes this account the provider's default; false when it does not exist. */
  abstract setDefault(provider: string, accountId: string): Promise<boolean>;

  /**
   * Deletes the account; false when it did not exist. When it was the default, the oldest
   * remaining account of the provider becomes the default.
   */
  abstract remove(provider: string, accountId: string): Promise<boolean>;

  /**
   * Takes the right to refresh this account for `ttlMs`, across every process sharing the store
   * (refresh tokens rotate: two refreshes with one token log the user out). Succeeds when the
   * lease is free, expired (its holder stopped renewing it), already ours, or held by
   * `takeOverFrom` — a holder the caller has found to be gone; naming it makes the takeover
   * atomic, so two callers that both see a dead holder cannot both win. False otherwise, and
   * for an unknown account. Taking a lease records a heartbeat.
   *
   * The lease guards the refresh, not the write: the write is fenced by `updateTokens`'
   * `expectedVersion`, so a holder that lost its lease mid-refresh cannot overwrite newer tokens.
   */
  abstract acquireRefreshLease(
    provider: string,
    accountId: string,
    holder: string,
    ttlMs: number,
    takeOverFrom?: string,
  ): Promise<boolean>;

  /**
   * The holder's heartbeat: pushes the expiry to `ttlMs` from now and records the beat. False
   * when `holder` no longer holds the lease (it was released or taken over).
   */
  abstract renewRefreshLease(provider: string, accountId: string, holder: string, ttlMs: number): Promise<boolean>;

  abstract releaseRefreshLease(provider: string, accountId: string, holder: string): Promise<void>;

  /** Who holds the refresh lease now (it may have expired), or undefined when nobody does. */
  abstract getRefreshLease(provider: string, accountId: string): Promise<RefreshLease | undefined>;

  abstract close(): Promise<void>;
}
