// Keeps access tokens fresh without ever losing a login. Refresh tokens rotate: used twice, the
// provider kills the login. So for each account at most one refresh runs at a time — callers in
// this process share one promise, other processes are kept out by a lease in the store — and the
// new tokens are written to the store before anyone uses them.
import { randomUUID } from 'node:crypto';
import type { Account } from '../store/account';
import type { AccountStore } from '../store/account-store';
import { accountDisabled, needsRelogin, refreshUnavailable } from './credential-error';
import type { OAuthDefinition } from './oauth-definition';
import { OAuthError } from './oauth-error';
import { refreshTokens, type TokenClientDeps } from './token-client';

/** Refresh when the access token has less than this left (issue #3: 5 minutes). */
export const REFRESH_MARGIN_MS = 5 * 60_000;
/** How long one refresh may hold the lease before others may try. */
const LEASE_MS = 60_000;
/** How often a caller waiting for another process's refresh looks at the store again. */
const LEASE_POLL_MS = 200;

export interface TokenRefresherDeps extends TokenClientDeps {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Called after each refresh attempt, for logs (never with tokens). */
  onRefresh?: (event: { provider: string; accountId: string; outcome: 'refreshed' | 'failed' | 'relogin'; detail?: string }) => void;
}

export class TokenRefresher {
  /** This process's name in refresh leases. */
  private readonly holder = `byokey-${process.pid}-${randomUUID()}`;
  private readonly inflight = new Map<string, Promise<Account>>();
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly store: AccountStore,
    /** The provider's OAuth definition (with providers.yaml overrides applied), if it has one. */
    private readonly definitionFor: (provider: string) => OAuthDefinition | undefined,
    private readonly deps: TokenRefresherDeps = {},
  ) {
    this.now = deps.now ?? Date.now;
    this.sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** True when the token should be renewed now: it expires within the margin. */
  isDue(account: Account): boolean {
    return account.expiresAt !== undefined && account.expiresAt - this.now() <= REFRESH_MARGIN_MS;
  }

  /**
   * The account with an access token good for at least the margin, refreshing it when needed.
   * `force` refreshes even a token that looks fresh (the upstream just rejected it).
   * Throws a GatewayError a client can act on when the account cannot be used.
   */
  async ensureFresh(account: Account, options: { force?: boolean } = {}): Promise<Account> {
    if (account.status === 'disabled') throw accountDisabled(account.provider, account.accountId);
    if (account.status === 'needs_relogin') throw needsRelogin(account.provider, account.accountId, account.statusReason);
    if (!options.force && !this.isDue(account)) return account;
    const definition = this.definitionFor(account.provider);
    if (!definition?.refreshable || !account.tokens.refreshToken) {
      // Nothing to renew with: usable until it expires, then only a new login helps.
      if (account.expiresAt !== undefined && account.expiresAt <= this.now()) {
        throw needsRelogin(account.provider, account.accountId, 'the token expired and cannot be renewed');
      }
      return account;
    }
    const key = `${account.provider}\u0000${account.accountId}`;
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.refresh(account, definition).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  private async refresh(seen: Account, definition: OAuthDefinition): Promise<Account> {
    const { provider, accountId } = seen;
    // Another process may be refreshing: wait for its lease to end or its tokens to land.
    const deadline = this.now() + LEASE_MS;
    while (!(await this.store.acquireRefreshLease(provider, accountId, this.holder, LEASE_MS))) {
      const current = await this.usable(provider, accountId);
      if (current.version !== seen.version && !this.isDue(current)) return current;
      if (this.now() > deadline) throw refreshUnavailable(provider, accountId, 'another byokey process is still refreshing it');
      await this.sleep(LEASE_POLL_MS);
    }
    try {
      // Read again under the lease: tokens written since we looked (by a login or another
      // process's refresh) are new, so they need no refresh — even when `force` was asked
      // because the upstream rejected the old ones.
      const current = await this.usable(provider, accountId);
      if (current.version !== seen.version && !this.isDue(current)) return current;
      return await this.renew(current, definition);
    } finally {
      await this.store.releaseRefreshLease(provider, accountId, this.holder);
    }
  }

  /** The account as stored now, or the error that says why it cannot be used. */
  private async usable(provider: string, accountId: string): Promise<Account> {
    const current = await this.store.get(provider, accountId);
    if (!current) throw needsRelogin(provider, accountId, 'the account was removed');
    if (current.status === 'disabled') throw accountDisabled(provider, accountId);
    if (current.status === 'needs_relogin') throw needsRelogin(provider, accountId, current.statusReason);
    return current;
  }

  private async renew(account: Account, definition: OAuthDefinition): Promise<Account> {
    const { provider, accountId } = account;
    let obtained;
    try {
      obtained = await refreshTokens(definition, account.tokens.refreshToken as string, this.deps);
    } catch (error) {
      if (error instanceof OAuthError && error.permanent) {
        const reason = `the refresh was refused: ${error.code ?? error.message}`;
        // Only for the tokens that were refused: a login that replaced them meanwhile stays good.
        await this.store.setStatus(provider, accountId, 'needs_relogin', reason, account.version);
        this.deps.onRefresh?.({ provider, accountId, outcome: 'relogin', detail: error.code ?? error.message });
        throw needsRelogin(provider, accountId, reason);
      }
      const detail = error instanceof Error ? error.message : String(error);
      this.deps.onRefresh?.({ provider, accountId, outcome: 'failed', detail });
      // A token that still works is better than none: keep using it until it really expires.
      if (account.expiresAt === undefined || account.expiresAt > this.now()) return account;
      throw refreshUnavailable(provider, accountId, detail);
    }
    // Written before use: if the process dies now, the rotated refresh token is not lost.
    const saved = await this.store.updateTokens(
      provider,
      accountId,
      {
        accessToken: obtained.tokens.accessToken,
        refreshToken: obtained.tokens.refreshToken,
        idToken: obtained.tokens.idToken,
        expiresAt: obtained.expiresAt,
        claims: Object.keys(obtained.claims).length > 0 ? { ...account.claims, ...obtained.claims } : undefined,
      },
      account.version,
    );
    this.deps.onRefresh?.({ provider, accountId, outcome: 'refreshed' });
    if (saved) return saved;
    // Cannot happen while we hold the lease, unless a login replaced the account meanwhile.
    const latest = await this.store.get(provider, accountId);
    if (!latest) throw needsRelogin(provider, accountId, 'the account was removed');
    return latest;
  }
}
