// Refreshes tokens in the background, so a request rarely waits for a refresh: every minute,
// each active account whose token expires within the refresh margin is renewed.
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AccountStore } from '../store/account-store';
import { AccountCredentials } from './account-credentials.service';

export const REFRESH_LOOP_INTERVAL_MS = 60_000;

@Injectable()
export class RefreshLoop implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RefreshLoop.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly store: AccountStore,
    private readonly credentials: AccountCredentials,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), REFRESH_LOOP_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass over the accounts; a pass still running is not started twice. */
  tick(): Promise<void> {
    this.running ??= this.refreshDue().finally(() => (this.running = undefined));
    return this.running;
  }

  private async refreshDue(): Promise<void> {
    const refresher = this.credentials.refresher;
    for (const account of await this.store.list()) {
      if (account.status !== 'active' || !account.tokens.refreshToken || !refresher.isDue(account)) continue;
      try {
        // Through AccountCredentials, so requests get the renewed account from its cache at once.
        await this.credentials.ensureFresh(account);
      } catch (error) {
        // Already logged by the refresher; the account's status says the rest.
        this.logger.debug(`background refresh of ${account.provider}/${account.accountId} failed: ${(error as Error).message}`);
      }
    }
  }
}
