// The counters per-key limits are kept in: named integers that expire. In memory for one gateway
// (memory-limit-counters.ts); in Redis when several share the limits (the multi-instance issue),
// behind this same contract. Every window is decided by the caller, which names its counters by
// window (`rpm:<key>:<minute>`), so the counters need no clock of their own beyond expiry.
export abstract class LimitCounters {
  /**
   * Adds `amount` (negative to take back) to a counter and returns its new value. A counter that
   * does not exist yet starts at 0 and is forgotten `ttlMs` after this first add.
   */
  abstract add(name: string, amount: number, ttlMs: number): Promise<number>;

  /** The counter's value; 0 when it does not exist or has expired. */
  abstract get(name: string): Promise<number>;
}
