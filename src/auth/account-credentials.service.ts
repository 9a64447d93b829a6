// The one place executors get a subscription credential: the provider's default account (the
// routing issue adds pools), with an access token refreshed when it is near expiry, and one
// forced refresh + retry when the upstream rejects it. No provider refreshes tokens itself.
// Accounts are kept for a moment (AccountCache) instead of being read from the store and
// decrypted on every request; what a refresh hands back replaces the kept one, and an "accounts"
// change notice from another instance empties it.
import { Inject, Injectable, Logger, Optional, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { GATEWAY_CONFIG_KEY } from '../config/config.module';
import type { GatewayConfig } from '../config/gateway-config';
import type { OAuthCredential } from './oauth-credential';
import type { Account } from '../store/account';
import { AccountStore } from '../store/account-store';
import { ChangeNotices } from '../store/shared/change-notices';
import { UpstreamError } from '../upstream/upstream-error';
import { AccountCache } from './account-cache';
import { noAccount } from './credential-error';
import { OAUTH_DEFINITIONS, type OAuthDefinitions } from './oauth-definitions.token';
import { RefreshLeases } from './refresh-leases';
import { resolveOAuthDefinition } from './resolve-oauth-definition';
import { TokenRefresher, type RefreshEvent } from './token-refresher';

@Injectable()
export class AccountCredentials implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(AccountCredentials.name);
  readonly refresher: TokenRefresher;
  /** Accounts read lately. Only a shortcut to the account to use: the refresher reads the store itself. */
  private readonly cache = new AccountCache();
  private unsubscribe?: () => void;
  /** Told each refresh attempt's outcome (the metrics count them). */
  private readonly refreshListeners = new Set<(event: RefreshEvent) => void>();

  constructor(
    private readonly store: AccountStore,
    config: ConfigService,
    @Inject(OAUTH_DEFINITIONS) definitions: OAuthDefinitions,
    /** Default: the store's lease. */
    @Optional() leases?: RefreshLeases,
    @Optional() private readonly notices?: ChangeNotices,
  ) {
    const gateway = config.getOrThrow<GatewayConfig>(GATEWAY_CONFIG_KEY);
    this.refresher = new TokenRefresher(store, (provider) => resolveOAuthDefinition(provider, definitions, gateway), {
      leases,
      onRefresh: (event) => {
        for (const listener of this.refreshListeners) listener(event);
        const { provider, accountId, outcome, detail } = event;
        const what = `${provider} account "${accountId}"`;
        if (outcome === 'refreshed') this.logger.log(`refreshed the token of the ${what}`);
        else if (outcome === 'relogin') {
          this.logger.warn(`the ${what} needs a new login: ${detail}`);
          // Its status changed in the store: other instances stop offering it now, not in 2 s.
          void this.notices?.publish('accounts', `${provider}/${accountId} needs a new login`);
        } else this.logger.warn(`could not refresh the ${what}: ${detail}`);
      },
    });
  }

  onModuleInit(): void {
    // Another instance logged in, out, changed a default or a status: read the store again.
    this.unsubscribe = this.notices?.subscribe('accounts', () => this.cache.clear());
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
  }

  /** Calls `listener` with each refresh attempt's outcome; returns the unsubscribe. */
  onRefresh(listener: (event: RefreshEvent) => void): () => void {
    this.refreshListeners.add(listener);
    return () => this.refreshListeners.delete(listener);
  }

  /** Accounts changed in this process (admin API): the next request reads the store, not the cache. */
  accountsChanged(): void {
    this.cache.clear();
  }

  /** A fresh credential for the provider's default account (or the named one). */
  async get(provider: string, accountId?: string): Promise<OAuthCredential> {
    return toCredential(await this.ensureFresh(await this.account(provider, accountId)));
  }

  /**
   * Runs one upstream call with a fresh credential. If the upstream answers 401 before the
   * response started, the token is refreshed once (even if it looked fresh) and the call is
   * made once more; a second 401 goes to the client. `requestId` names the client request in
   * the log line about the refresh.
   */
  async run<T>(provider: string, call: (credential: OAuthCredential) => Promise<T>, accountId?: string, requestId?: string): Promise<T> {
    const account = await this.ensureFresh(await this.account(provider, accountId));
    try {
      return await call(toCredential(account));
    } catch (error) {
      if (!(error instanceof UpstreamError && error.failure === 'status' && error.status === 401)) throw error;
      this.logger.warn({ reqId: requestId }, `the ${provider} upstream rejected the token of account "${account.accountId}"; refreshing once`);
      const renewed = await this.ensureFresh(account, { force: true });
      return call(toCredential(renewed));
    }
  }

  /**
   * The refresher's `ensureFresh`, with the cache kept in step: an account it hands back instead
   * of the one given (refreshed here, or found refreshed by another process) replaces the cached
   * one; an account it could not make usable (needs a new login, disabled, removed, refresh
   * failed) is forgotten, so the next request reads the store again.
   */
  async ensureFresh(account: Account, options: { force?: boolean } = {}): Promise<Account> {
    let fresh: Account;
    try {
      fresh = await this.refresher.ensureFresh(account, options);
    } catch (error) {
      this.cache.delete(account.provider, account.accountId);
      throw error;
    }
    if (fresh === account) return fresh;
    // Still due after a refresh: the token server failed and the old token is used while it lasts.
    if (this.refresher.isDue(fresh)) this.cache.delete(fresh.provider, fresh.accountId);
    else this.cache.put(fresh);
    return fresh;
  }

  private async account(provider: string, accountId?: string): Promise<Account> {
    const cached = accountId ? this.cache.get(provider, accountId) : this.cache.getDefault(provider);
    if (cached) return cached;
    const account = accountId ? await this.store.get(provider, accountId) : await this.store.getDefault(provider);
    if (!account) throw noAccount(provider);
    this.cache.put(account, { asDefault: accountId === undefined });
    return account;
  }
}

function toCredential(account: Account): OAuthCredential {
  return {
    kind: 'oauth',
    provider: account.provider,
    accountId: account.accountId,
    accessToken: account.tokens.accessToken,
    claims: account.claims,
    expiresAt: account.expiresAt,
    ...(account.tokens.proxyUrl === undefined ? {} : { proxyUrl: account.tokens.proxyUrl }),
  };
}
