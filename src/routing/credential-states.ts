// What routing remembers about each credential between requests: until when it is cooling
// down (and why), and how many requests it is serving now. Keyed by instance and credential id,
// so the state survives a config reload that keeps the credential. Read from this process's
// memory on every request; cooldowns are shared with other gateway instances through a
// CooldownChannel (each change sent once, theirs applied here), requests in flight are not.
import { type CooldownChannel, LocalCooldownChannel, type SharedCooldown } from '../store/shared/cooldown-channel';
import type { Replica } from '../store/shared/replica';

export interface CooldownInfo {
  until: number;
  reason: string;
}

export class CredentialStates {
  private readonly cooldowns = new Map<string, CooldownInfo>();
  private readonly inFlight = new Map<string, number>();

  /** Other instances' changes, applied here without being sent back. */
  readonly replica: Replica<SharedCooldown> = {
    apply: (key, cooldown) => this.keepLater(key, { until: cooldown.until, reason: cooldown.reason }),
    remove: (key) => this.cooldowns.delete(key),
    removeAll: () => this.cooldowns.clear(),
    entries: () => this.inForce(),
  };

  constructor(
    private readonly now: () => number = Date.now,
    private readonly channel: CooldownChannel = new LocalCooldownChannel(),
  ) {}

  /** Starts sharing cooldowns: resolves once those in force on other instances apply here too. */
  connect(): Promise<void> {
    return this.channel.connect(this.replica);
  }

  coolDown(key: string, until: number, reason: string): void {
    if (this.keepLater(key, { until, reason })) this.channel.coolDown(key, { until, reason });
  }

  /** The cooldown in force, if any (an expired one is forgotten). */
  cooldown(key: string): CooldownInfo | undefined {
    const info = this.cooldowns.get(key);
    if (info && info.until <= this.now()) {
      this.cooldowns.delete(key);
      return undefined;
    }
    return info;
  }

  /** Ends the credential's cooldown (it answered again); called after every success, so only a cooldown in force is sent. */
  clearCooldown(key: string): void {
    const info = this.cooldowns.get(key);
    if (!info) return;
    this.cooldowns.delete(key);
    if (info.until > this.now()) this.channel.clear(key);
  }

  /** Every credential ready again (an operator's reset; tests between cases). */
  clearAllCooldowns(): void {
    this.cooldowns.clear();
    this.channel.clearAll();
  }

  busy(key: string): number {
    return this.inFlight.get(key) ?? 0;
  }

  /** Counts a request in flight; call the returned function exactly once when it ends. */
  begin(key: string): () => void {
    this.inFlight.set(key, this.busy(key) + 1);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      const left = this.busy(key) - 1;
      if (left > 0) this.inFlight.set(key, left);
      else this.inFlight.delete(key);
    };
  }

  /** Keeps `info` unless the cooldown in force ends later: two 429s close together must not shorten the rest. True when kept. */
  private keepLater(key: string, info: CooldownInfo): boolean {
    const current = this.cooldowns.get(key);
    if (current && current.until >= info.until) return false;
    this.cooldowns.set(key, info);
    return true;
  }

  private *inForce(): Iterable<[string, SharedCooldown]> {
    const now = this.now();
    for (const [key, info] of this.cooldowns) if (info.until > now) yield [key, { until: info.until, reason: info.reason }];
  }
}
