// Quota snapshots shared through Redis, one key per account kept for a week (Codex's longest
// window). Snapshots come with every answer of an account, so at most one per account per second
// is sent: the first at once, the latest of the rest when the second is over.
import type { RateLimitSnapshot } from '../rate-limit-snapshot';
import { QuotaSnapshotChannel } from './quota-snapshot-channel';
import { RedisReplicatedMap } from './redis-replicated-map';
import type { Replica } from './replica';
import type { SharedRedis } from './shared-redis';

/** The least time between two snapshots of one account sent to Redis. */
export const SNAPSHOT_SEND_INTERVAL_MS = 1000;
/** How long Redis keeps a snapshot after it was captured. */
export const SNAPSHOT_TTL_MS = 7 * 24 * 3_600_000;

export class RedisQuotaSnapshotChannel extends QuotaSnapshotChannel {
  private readonly map: RedisReplicatedMap<RateLimitSnapshot>;
  private readonly lastSent = new Map<string, number>();
  /** The latest snapshot waiting for its account's interval to end, and the timer that sends it. */
  private readonly waiting = new Map<string, { snapshot: RateLimitSnapshot; timer: NodeJS.Timeout }>();

  constructor(
    redis: SharedRedis,
    private readonly now: () => number = Date.now,
  ) {
    super();
    this.map = new RedisReplicatedMap<RateLimitSnapshot>(redis, {
      name: 'quota',
      rank: (snapshot) => snapshot.capturedAt,
      ttlMs: (snapshot) => snapshot.capturedAt + SNAPSHOT_TTL_MS - now(),
      isValue: isSnapshot,
    });
  }

  connect(snapshots: Replica<RateLimitSnapshot>): Promise<void> {
    return this.map.connect(snapshots);
  }

  recorded(key: string, snapshot: RateLimitSnapshot): void {
    const pending = this.waiting.get(key);
    if (pending) {
      pending.snapshot = snapshot;
      return;
    }
    const now = this.now();
    const last = this.lastSent.get(key);
    if (last === undefined || now - last >= SNAPSHOT_SEND_INTERVAL_MS) {
      this.send(key, snapshot, now);
      return;
    }
    const timer = setTimeout(() => {
      const latest = this.waiting.get(key);
      this.waiting.delete(key);
      if (latest) this.send(key, latest.snapshot, this.now());
    }, last + SNAPSHOT_SEND_INTERVAL_MS - now);
    timer.unref();
    this.waiting.set(key, { snapshot, timer });
  }

  async onApplicationShutdown(): Promise<void> {
    for (const { timer } of this.waiting.values()) clearTimeout(timer);
    this.waiting.clear();
    await this.map.close();
  }

  private send(key: string, snapshot: RateLimitSnapshot, now: number): void {
    this.lastSent.set(key, now);
    void this.map.write(key, snapshot);
  }
}

function isSnapshot(value: unknown): value is RateLimitSnapshot {
  const v = value as Partial<RateLimitSnapshot> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.provider === 'string' &&
    typeof v.accountId === 'string' &&
    typeof v.capturedAt === 'number' &&
    typeof v.headers === 'object' &&
    v.headers !== null
  );
}
