// The one place executors get a subscription credential: the provider's default account (the
// routing issue adds pools), with an access token refreshed when it is near expiry, and one
// forced refresh + retry when the upstream rejects it. No provider refreshes tokens itself.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { GATEWAY_CONFIG_KEY } from '../config/config.module';
import type { GatewayConfig } from '../config/gateway-config';
import type { OAuthCredential } from '../registry/provider-executor';
import type { Account } from '../store/account';
import { AccountStore } from '../store/account-store';
import { UpstreamError } from '../upstream/upstream-error';
import { noAccount } from './credential-error';
import { OAUTH_DEFINITIONS, type OAuthDefinitions } from './oauth-definitions.token';
import { resolveOAuthDefinition } from './resolve-oauth-definition';
import { TokenRefresher } from './token-refresher';

@Injectable()
export class AccountCredentials {
  private readonly logger = new Logger(AccountCredentials.name);
  readonly refresher: TokenRefresher;

  constructor(
    private readonly store: AccountStore,
    config: ConfigService,
    @Inject(OAUTH_DEFINITIONS) definitions: OAuthDefinitions,
  ) {
    const gateway = config.getOrThrow<GatewayConfig>(GATEWAY_CONFIG_KEY);
    this.refresher = new TokenRefresher(store, (provider) => resolveOAuthDefinition(provider, definitions, gateway), {
      onRefresh: ({ provider, accountId, outcome, detail }) => {
        const what = `${provider} account "${accountId}"`;
        if (outcome === 'refreshed') this.logger.log(`refreshed the token of the ${what}`);
        else if (outcome === 'relogin') this.logger.warn(`the ${what} needs a new login: ${detail}`);
        else this.logger.warn(`could not refresh the ${what}: ${detail}`);
      },
    });
  }

  /** A fresh credential for the provider's default account (or the named one). */
  async get(provider: string, accountId?: string): Promise<OAuthCredential> {
    return toCredential(await this.refresher.ensureFresh(await this.account(provider, accountId)));
  }

  /**
   * Runs one upstream call with a fresh credential. If the upstream answers 401 before the
   * response started, the token is refreshed once (even if it looked fresh) and the call is
   * made once more; a second 401 goes to the client. `requestId` names the client request in
   * the log line about the refresh.
   */
  async run<T>(provider: string, call: (credential: OAuthCredential) => Promise<T>, accountId?: string, requestId?: string): Promise<T> {
    const account = await this.refresher.ensureFresh(await this.account(provider, accountId));
    try {
      return await call(toCredential(account));
    } catch (error) {
      if (!(error instanceof UpstreamError && error.failure === 'status' && error.status === 401)) throw error;
      this.logger.warn({ reqId: requestId }, `the ${provider} upstream rejected the token of account "${account.accountId}"; refreshing once`);
      const renewed = await this.refresher.ensureFresh(account, { force: true });
      return call(toCredential(renewed));
    }
  }

  private async account(provider: string, accountId?: string): Promise<Account> {
    const account = accountId ? await this.store.get(provider, accountId) : await this.store.getDefault(provider);
    if (!account) throw noAccount(provider);
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
  };
}
