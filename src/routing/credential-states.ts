// What routing remembers about each credential between requests: until when it is cooling
// down (and why), and how many requests it is serving now. Keyed by instance and credential id,
// so the state survives a config reload that keeps the credential. In memory; shared storage
// for several gateway instances replaces it later.

export interface CooldownInfo {
  until: number;
  reason: string;
}

export class CredentialStates {
  private readonly cooldowns = new Map<string, CooldownInfo>();
  private readonly inFlight = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  coolDown(key: string, until: number, reason: string): void {
    const current = this.cooldowns.get(key);
    // A later reset wins: two 429s close together must not shorten the rest.
    if (!current || current.until < until) this.cooldowns.set(key, { until, reason });
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

  clearCooldown(key: string): void {
    this.cooldowns.delete(key);
  }

  /** Every credential ready again (an operator's reset; tests between cases). */
  clearAllCooldowns(): void {
    this.cooldowns.clear();
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
}
