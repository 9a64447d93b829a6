// The refresh lease — the right to refresh one account's tokens, held by one refresher at a time
// across every process and instance (refresh tokens rotate: two refreshes with one token log the
// user out) — behind one small contract, so the refresher does not care where it lives. By
// default it is the account store's lease (StoreRefreshLeases, below): every process that shares
// the store shares it. With `redis:` it is RedisRefreshLeases (store/shared/): contenders are
// decided in Redis, the winner takes the store's lease too (so an instance that cannot reach
// Redis, on the store's lease alone, is never refreshing at the same time), and the waiters are
// woken the moment a holder lets go.
//
// The lease guards the refresh, not the write: token writes are fenced by the account version
// (AccountStore.updateTokens' expectedVersion), whichever lease was held.
import type { AccountStore, RefreshLease } from '../store/account-store';

export type { RefreshLease };

export abstract class RefreshLeases {
  /**
   * Takes the lease for `ttlMs`: succeeds when it is free, expired, already ours, or held by
   * `takeOverFrom` (a holder the caller found gone; naming it makes the takeover atomic).
   * Taking it records a heartbeat.
   */
  abstract acquire(provider: string, accountId: string, holder: string, ttlMs: number, takeOverFrom?: string): Promise<boolean>;

  /** The holder's heartbeat: `ttlMs` more from now. False when `holder` no longer holds it. */
  abstract renew(provider: string, accountId: string, holder: string, ttlMs: number): Promise<boolean>;

  /** Lets go, if `holder` still holds it; the waiters may go on at once. */
  abstract release(provider: string, accountId: string, holder: string): Promise<void>;

  /** Who holds it now (it may have expired), or undefined. */
  abstract get(provider: string, accountId: string): Promise<RefreshLease | undefined>;

  /**
   * Resolves when the lease of this account may have been let go (its holder released it), so a
   * waiter looks again at once rather than at its next poll; or when `signal` aborts. Best effort:
   * a waiter still polls.
   */
  abstract released(provider: string, accountId: string, signal: AbortSignal): Promise<void>;
}

/** The account store's lease: what every process sharing the store sees. */
export class StoreRefreshLeases extends RefreshLeases {
  constructor(private readonly store: AccountStore) {
    super();
  }

  acquire(provider: string, accountId: string, holder: string, ttlMs: number, takeOverFrom?: string): Promise<boolean> {
    return this.store.acquireRefreshLease(provider, accountId, holder, ttlMs, takeOverFrom);
  }

  renew(provider: string, accountId: string, holder: string, ttlMs: number): Promise<boolean> {
    return this.store.renewRefreshLease(provider, accountId, holder, ttlMs);
  }

  release(provider: string, accountId: string, holder: string): Promise<void> {
    return this.store.releaseRefreshLease(provider, accountId, holder);
  }

  get(provider: string, accountId: string): Promise<RefreshLease | undefined> {
    return this.store.getRefreshLease(provider, accountId);
  }

  /** The store tells nobody: waiters poll. */
  released(_provider: string, _accountId: string, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }
}
