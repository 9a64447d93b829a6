// The latest rate-limit state each upstream reported per account (Codex's x-codex-* headers and
// codex.rate_limits frames, Anthropic's ratelimit headers …), kept for the admin API and for
// routing that prefers accounts far from their limits. Read from this process's memory; with
// `redis:` the quota snapshot channel brings in what other instances recorded (the newest by
// capture time wins) and carries ours out; without it, the channel keeps them in the store, so
// a restarted gateway and `byokey status` know them too.
import { Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import { LocalQuotaSnapshotChannel, QuotaSnapshotChannel } from './shared/quota-snapshot-channel';
import type { Replica } from './shared/replica';
import { snapshotKey, type RateLimitSnapshot } from './rate-limit-snapshot';

@Injectable()
export class RateLimitSnapshots implements OnModuleInit {
  private readonly latest = new Map<string, RateLimitSnapshot>();

  /** What other instances recorded, applied here without being sent back. */
  private readonly replica: Replica<RateLimitSnapshot> = {
    apply: (key, snapshot) => {
      const current = this.latest.get(key);
      if (!current || current.capturedAt <= snapshot.capturedAt) this.latest.set(key, snapshot);
    },
    remove: (key) => this.latest.delete(key),
    removeAll: () => this.latest.clear(),
    entries: () => this.latest.entries(),
  };

  constructor(@Optional() private readonly channel: QuotaSnapshotChannel = new LocalQuotaSnapshotChannel()) {}

  async onModuleInit(): Promise<void> {
    await this.channel.connect(this.replica);
  }

  /** Records headers and/or a frame; an update without either changes nothing. */
  record(provider: string, accountId: string, update: { headers?: Record<string, string>; frame?: Record<string, unknown> }): void {
    const hasHeaders = update.headers !== undefined && Object.keys(update.headers).length > 0;
    if (!hasHeaders && !update.frame) return;
    const key = snapshotKey(provider, accountId);
    const previous = this.latest.get(key);
    const snapshot: RateLimitSnapshot = {
      provider,
      accountId,
      headers: hasHeaders ? update.headers! : (previous?.headers ?? {}),
      frame: update.frame ?? previous?.frame,
      capturedAt: Date.now(),
    };
    this.latest.set(key, snapshot);
    this.channel.recorded(key, snapshot);
  }

  get(provider: string, accountId: string): RateLimitSnapshot | undefined {
    return this.latest.get(snapshotKey(provider, accountId));
  }

  all(): RateLimitSnapshot[] {
    return [...this.latest.values()];
  }
}
