// Quota snapshots kept in the configured store (SQLite, or PostgreSQL without Redis), so a
// restarted gateway and `byokey status` know each account's last windows. Snapshots come with
// every answer of an account, so a record only marks the account dirty (a Map set); the dirty
// ones are written together, in one statement, a few seconds later, and once more at shutdown.
// Gateways sharing a PostgreSQL schema without Redis each read the others' at start only.
import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { QuotaSnapshotStore } from '../quota-snapshot-store';
import { snapshotKey, type RateLimitSnapshot } from '../rate-limit-snapshot';
import { QuotaSnapshotChannel } from './quota-snapshot-channel';
import type { Replica } from './replica';

/** How long after the first unsaved snapshot the dirty ones are written. */
export const SNAPSHOT_FLUSH_INTERVAL_MS = 5000;

/**
 * Runs `run` once after `ms` without keeping the process alive; returns what cancels it. `run`
 * returns the write's promise, for a test that runs the timer itself to wait on.
 */
export type FlushScheduler = (run: () => Promise<void>, ms: number) => () => void;

export const unrefTimeout: FlushScheduler = (run, ms) => {
  const timer = setTimeout(() => void run(), ms);
  timer.unref();
  return () => clearTimeout(timer);
};

export interface StoredQuotaSnapshotChannelOptions {
  /** Default SNAPSHOT_FLUSH_INTERVAL_MS. */
  flushIntervalMs?: number;
  /** Default an unref'd setTimeout; tests run the flush themselves. */
  schedule?: FlushScheduler;
  /** A read or write that failed (the snapshots stay in memory); default the Nest logger. */
  warn?: (message: string) => void;
}

export class StoredQuotaSnapshotChannel extends QuotaSnapshotChannel implements OnApplicationShutdown {
  /** The latest unsaved snapshot of each account recorded since the last write. */
  private readonly dirty = new Map<string, RateLimitSnapshot>();
  private cancelFlush: (() => void) | undefined;
  /** The write under way (or the last one): a flush waits for it, so writes never overlap. */
  private writing: Promise<void> = Promise.resolve();
  /** Whether the last write failed: said once per outage, not every few seconds. */
  private failing = false;
  private closed = false;
  private readonly flushIntervalMs: number;
  private readonly schedule: FlushScheduler;
  private readonly warn: (message: string) => void;

  constructor(
    private readonly store: QuotaSnapshotStore,
    options: StoredQuotaSnapshotChannelOptions = {},
  ) {
    super();
    this.flushIntervalMs = options.flushIntervalMs ?? SNAPSHOT_FLUSH_INTERVAL_MS;
    this.schedule = options.schedule ?? unrefTimeout;
    const logger = new Logger('QuotaSnapshots');
    this.warn = options.warn ?? ((message) => logger.warn(message));
  }

  /** Applies the stored snapshots; a store that cannot be read leaves the gateway starting without them. */
  async connect(snapshots: Replica<RateLimitSnapshot>): Promise<void> {
    try {
      for (const snapshot of await this.store.list()) snapshots.apply(snapshotKey(snapshot.provider, snapshot.accountId), snapshot);
    } catch (error) {
      this.warn(`the stored quota snapshots could not be read (${describe(error)}); starting without them`);
    }
  }

  recorded(key: string, snapshot: RateLimitSnapshot): void {
    if (this.closed) return;
    this.dirty.set(key, snapshot);
    this.scheduleFlush();
  }

  /** Writes the snapshots recorded since the last write, after any write under way. Never fails. */
  flush(): Promise<void> {
    this.writing = this.writing.then(() => this.write());
    return this.writing;
  }

  /** The last write, before the store closes (its module's shutdown runs after this one's). */
  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    this.cancelFlush?.();
    this.cancelFlush = undefined;
    await this.flush();
  }

  private scheduleFlush(): void {
    if (this.cancelFlush || this.closed) return;
    this.cancelFlush = this.schedule(() => {
      this.cancelFlush = undefined;
      return this.flush();
    }, this.flushIntervalMs);
  }

  private async write(): Promise<void> {
    if (this.dirty.size === 0) return;
    const batch = [...this.dirty];
    this.dirty.clear();
    try {
      await this.store.save(batch.map(([, snapshot]) => snapshot));
      if (this.failing) this.warn('the quota snapshots are stored again');
      this.failing = false;
    } catch (error) {
      // Kept for the next write, unless a newer one came meanwhile.
      for (const [key, snapshot] of batch) if (!this.dirty.has(key)) this.dirty.set(key, snapshot);
      if (!this.failing) this.warn(`the quota snapshots could not be stored (${describe(error)}); trying again in ${this.flushIntervalMs / 1000} s`);
      this.failing = true;
      this.scheduleFlush();
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
