// Keeps usage records for `usage.retention_days` (providers.yaml, default 30): prunes older ones
// soon after startup and then every quarter of an hour, so each prune has little to delete. The
// period is read from the configuration in force at each prune, so a reload changes it.
import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PluginRegistry } from '../registry/plugin-registry.service';
import { UsageStore } from '../store/usage-store';

export const USAGE_RETENTION_CLOCK = Symbol('USAGE_RETENTION_CLOCK');

export const PRUNE_INTERVAL_MS = 15 * 60_000;
const DAY_MS = 86_400_000;

@Injectable()
export class UsageRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(UsageRetention.name);
  private timer?: NodeJS.Timeout;
  private pruning?: Promise<void>;

  constructor(
    private readonly store: UsageStore,
    private readonly registry: PluginRegistry,
    @Optional() @Inject(USAGE_RETENTION_CLOCK) private readonly now: () => number = Date.now,
  ) {}

  onApplicationBootstrap(): void {
    void this.prune();
    this.timer = setInterval(() => void this.prune(), PRUNE_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.pruning;
  }

  /** Deletes the records past retention; a store failure is logged, never thrown. */
  prune(): Promise<void> {
    this.pruning ??= this.run().finally(() => {
      this.pruning = undefined;
    });
    return this.pruning;
  }

  private async run(): Promise<void> {
    const days = this.registry.config.usage.retentionDays;
    try {
      const deleted = await this.store.prune(this.now() - days * DAY_MS);
      if (deleted > 0) this.logger.log(`pruned ${deleted} usage records older than ${days} days`);
    } catch (error) {
      this.logger.warn({ err: error }, 'could not prune old usage records');
    }
  }
}
