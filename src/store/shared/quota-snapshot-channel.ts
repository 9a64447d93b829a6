// How the quota snapshots one instance records (what the upstream last said of an account's
// limits) reach the others, so routing everywhere puts last the accounts any instance saw near
// their limit. Snapshots are kept and read in each instance's memory; this channel carries new
// ones out and the others' in, the newest (by capture time) winning. The in-process channel
// carries nothing — one instance, today's behaviour; with `redis:` it is RedisQuotaSnapshotChannel.
import type { RateLimitSnapshot } from '../rate-limit-snapshot';
import type { Replica } from './replica';

export abstract class QuotaSnapshotChannel {
  /**
   * Starts applying the other instances' snapshots to `snapshots`. Resolves once those Redis
   * holds now have been applied, or at once when they cannot be read (then later).
   */
  abstract connect(snapshots: Replica<RateLimitSnapshot>): Promise<void>;

  /**
   * This instance recorded a snapshot (on the hot path: every answer of an account). Returns at
   * once; never fails; may send only the latest of several close together.
   */
  abstract recorded(key: string, snapshot: RateLimitSnapshot): void;
}

/** One instance: nothing to tell anybody. */
export class LocalQuotaSnapshotChannel extends QuotaSnapshotChannel {
  async connect(): Promise<void> {}
  recorded(): void {}
}
