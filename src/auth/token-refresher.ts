// Keeps access tokens fresh without ever losing a login. Refresh tokens rotate: used twice, the
// provider kills the login. So for each account at most one refresh runs at a time — callers in
// this process share one promise, other processes and instances are kept out by a refresh lease
// (the store's, or Redis' with `redis:` — refresh-leases.ts) — and the new tokens are written to
// the store before anyone uses them.
//
// The lease must not outlive its holder: it is short and renewed by a heartbeat while the refresh
// runs, a holder on this host whose process is gone is taken over at once, and a caller whose
// stored token still works uses it instead of waiting for anybody's lease.
import { setTimeout as delay } from 'node:timers/promises';
import type { Account } from '../store/account';
import type { AccountStore } from '../store/account-store';
import { accountDisabled, needsRelogin, refreshUnavailable } from './credential-error';
import { formatLeaseHolder, isLeaseHolderGone, type LeaseHolder, newLeaseHolder } from './lease-holder';
import type { OAuthDefinition } from './oauth-definition';
import { OAuthError } from './oauth-error';
import { isProcessAlive, type ProcessLiveness } from './process-liveness';
import { RefreshLeases, StoreRefreshLeases } from './refresh-leases';
import { refreshTokens, type TokenClientDeps } from './token-client';

/** Refresh when the access token has less than this left (issue #3: 5 minutes). */
export const REFRESH_MARGIN_MS = 5 * 60_000;
/** A refresh lease runs out this long after its holder's last heartbeat. */
export const LEASE_TTL_MS = 15_000;
/** How often the holder renews its lease while its refresh runs. */
export const LEASE_HEARTBEAT_MS = 5_000;
/**
 * How often a caller waiting for another process's refresh looks at the store again (sooner when
 * the lease says its holder let go).
 */
export const LEASE_POLL_MS = 200;
/**
 * The longest a caller with an expired token waits for another holder's refresh. That refresh is
 * itself bounded by the OAuth request timeout (30 s by default), and a holder that dies is taken
 * over within a poll (same host) or a lease (another host).
 */
export const MAX_LEASE_WAIT_MS = 30_000;

export interface TokenRefresherDeps extends TokenClientDeps {
  now?: () => number;
  /** Waits `ms`; rejects when `signal` aborts (the heartbeat's wait is cut short when the refresh ends). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** This machine's name in lease holders (default os.hostname()). */
  host?: string;
  /** This process's id in lease holders (default process.pid). */
  pid?: number;
  /** Whether a process on this host is running (default: signal 0). */
  isProcessAlive?: ProcessLiveness;
  /** Where the refresh lease is kept (default: the account store's lease). */
  leases?: RefreshLeases;
  /** Called after each refresh attempt, for logs and metrics (never with tokens). */
  onRefresh?: (event: RefreshEvent) => void;
}

/** One refresh attempt's end: new tokens, a failure to retry later, or a login the provider refused. */
export interface RefreshEvent {
  provider: string;
  accountId: string;
  outcome: 'refreshed' | 'failed' | 'relogin';
  detail?: string;
}

export class TokenRefresher {
  /** Who this refresher is in leases, and that identity as the store records it. */
  private readonly self: LeaseHolder;
  private readonly holder: string;
  private readonly inflight = new Map<string, Promise<Account>>();
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly isProcessAlive: ProcessLiveness;
  private readonly leases: RefreshLeases;

  constructor(
    private readonly store: AccountStore,
    /** The provider's OAuth definition (with providers.yaml overrides applied), if it has one. */
    private readonly definitionFor: (provider: string) => OAuthDefinition | undefined,
    private readonly deps: TokenRefresherDeps = {},
  ) {
    this.now = deps.now ?? Date.now;
    this.sleep = deps.sleep ?? ((ms, signal) => delay(ms, undefined, { signal }));
    this.isProcessAlive = deps.isProcessAlive ?? isProcessAlive;
    this.leases = deps.leases ?? new StoreRefreshLeases(store);
    this.self = newLeaseHolder(deps.host, deps.pid);
    this.holder = formatLeaseHolder(this.self);
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
      pending = this.refresh(account, definition, options.force === true).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  private async refresh(seen: Account, definition: OAuthDefinition, force: boolean): Promise<Account> {
    const { provider, accountId } = seen;
    const giveUpAt = this.now() + MAX_LEASE_WAIT_MS;
    let takeOverFrom: string | undefined;
    for (;;) {
      // Listening for the holder to let go starts before we look, so a release between our look
      // and our wait still wakes us.
      const round = new AbortController();
      const released = this.leases.released(provider, accountId, round.signal);
      try {
        if (await this.leases.acquire(provider, accountId, this.holder, LEASE_TTL_MS, takeOverFrom)) break;
        takeOverFrom = undefined;
        // Another holder has the lease. Look at the store again, before waiting and each time round.
        const current = await this.usable(provider, accountId);
        // Its tokens landed (or a login wrote new ones): nothing left to do.
        if (current.version !== seen.version && !this.isDue(current)) return current;
        const lease = await this.leases.get(provider, accountId);
        if (lease && isLeaseHolderGone(lease.holder, this.self, this.isProcessAlive)) {
          // Dead: take its lease now rather than wait for it to run out (atomic: one taker wins).
          takeOverFrom = lease.holder;
          continue;
        }
        // The holder is at work (or was, until its lease runs out); a token that still works is used
        // meanwhile rather than waited for — unless it is the very token the upstream just refused.
        if (this.stillWorks(current) && !(force && current.version === seen.version)) return current;
        if (this.now() >= giveUpAt) throw refreshUnavailable(provider, accountId, 'another byokey process is still refreshing it');
        // The next poll, or the holder letting go, whichever comes first.
        await Promise.race([this.sleep(LEASE_POLL_MS, round.signal), released]);
      } finally {
        round.abort();
      }
    }
    try {
      // Read again under the lease: tokens written since we looked (by a login or another
      // process's refresh) are new, so they need no refresh — even when `force` was asked
      // because the upstream rejected the old ones.
      const current = await this.usable(provider, accountId);
      if (current.version !== seen.version && !this.isDue(current)) return current;
      return await this.withHeartbeat(provider, accountId, () => this.renew(current, definition));
    } finally {
      await this.leases.release(provider, accountId, this.holder);
    }
  }

  /** Not expired yet (it may be inside the refresh margin). */
  private stillWorks(account: Account): boolean {
    return account.expiresAt === undefined || account.expiresAt > this.now();
  }

  /**
   * Runs the refresh while renewing the lease every LEASE_HEARTBEAT_MS, so others see a holder at
   * work however long the token server takes, and a holder that dies stops renewing it.
   */
  private async withHeartbeat<T>(provider: string, accountId: string, work: () => Promise<T>): Promise<T> {
    const stop = new AbortController();
    const beating = (async () => {
      while (!stop.signal.aborted) {
        try {
          await this.sleep(LEASE_HEARTBEAT_MS, stop.signal);
          if (stop.signal.aborted) return;
          // Lost (taken over by someone who thought us dead): stop beating. The refresh goes on —
          // aborting a request the token server may already have answered would lose the new
          // tokens — and its write is fenced by the account version.
          if (!(await this.leases.renew(provider, accountId, this.holder, LEASE_TTL_MS))) return;
        } catch {
          // Aborted: the refresh is over. A store that failed once may answer the next beat; if it
          // never does, the lease runs out as if we had died, which is what others should assume.
          if (stop.signal.aborted) return;
        }
      }
    })();
    try {
      return await work();
    } finally {
      stop.abort();
      await beating;
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
      // An account pinned to a proxy refreshes through it, like its requests.
      const via = account.tokens.proxyUrl === undefined ? definition : { ...definition, proxyUrl: account.tokens.proxyUrl };
      obtained = await refreshTokens(via, account.tokens.refreshToken as string, this.deps, { claims: account.claims, clientSecret: account.tokens.clientSecret });
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
