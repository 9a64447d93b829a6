// Which login owners have stopped listening for long enough to be counted gone. An owner that
// crashed stops listening for good (Redis drops its connection and its subscription with it); one
// that is alive can stop listening for a moment too, while ioredis reconnects its subscriber
// after a blip (REDIS_RECONNECT_MS, then the SUBSCRIBE). Reading its pending logins as failed in
// that moment would end them for good (a console stops polling a failed login), so an owner is
// gone only once it has been heard silent for SILENT_GRACE_MS.

/** Longer than a subscriber's reconnection (0.5 s between attempts, a 2 s connect bound), short enough for a person waiting. */
export const SILENT_GRACE_MS = 3000;

export class SilentOwners {
  /** When each owner was first heard silent, since it was last heard listening. */
  private readonly since = new Map<string, number>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly graceMs = SILENT_GRACE_MS,
  ) {}

  /** Records what was just heard of `owner`; true once it has been silent for the whole grace. */
  gone(owner: string, listening: boolean): boolean {
    const now = this.now();
    if (listening) {
      this.since.delete(owner);
      return false;
    }
    this.forgetOld(now);
    const first = this.since.get(owner);
    if (first === undefined) {
      this.since.set(owner, now);
      return false;
    }
    return now - first >= this.graceMs;
  }

  /** Owners silent for long are crashed instances nobody asks about any more: not kept for ever. */
  private forgetOld(now: number): void {
    for (const [owner, first] of this.since) if (now - first > 60 * this.graceMs) this.since.delete(owner);
  }
}
