// The counters per-key limits are kept in, and the one call that admits a request against them.
// In memory for one gateway (memory-limit-counters.ts); in Redis when several share the limits
// (shared/redis-limit-counters.ts). The caller decides every window and names its counters by it
// (`rpm:<key>:<minute>`), so the counters need no clock of their own beyond expiry.
//
// A request's admission is one call — one Redis round trip — that checks every limit and takes
// what the request holds only when all of them pass: a refused request takes nothing.

/** Frees what an admission took (its concurrency slots); safe to call more than once. */
export type Release = () => void;

export const NOTHING_TO_RELEASE: Release = () => undefined;

/**
 * One limit of an admission plan. `about` is the caller's name for it, handed back in a refusal.
 * Every check is the same — refused when the counter has reached `limit` — and differs only in
 * what admission then takes.
 */
export type PlannedLimit<About extends string = string> =
  /** A total charged after the fact (tokens this minute, day or month): read, never taken. */
  | { kind: 'below'; about: About; counter: string; limit: number }
  /** A count this request adds one to (requests this minute), forgotten `ttlMs` after. */
  | { kind: 'count'; about: About; counter: string; limit: number; ttlMs: number }
  /**
   * One of `limit` slots (concurrent requests), held until released. A holder that vanished
   * without releasing (a killed instance) loses it `leaseMs` after it was last renewed.
   */
  | { kind: 'slot'; about: About; counter: string; limit: number; leaseMs: number };

/** The limits one request must be within, checked in this order (the first exceeded is the one refused). */
export type AdmissionPlan<About extends string = string> = readonly PlannedLimit<About>[];

export type Admission<About extends string = string> =
  | { outcome: 'admitted'; release: Release }
  | { outcome: 'refused'; limit: PlannedLimit<About> }
  /** The shared counters cannot be reached and the configuration says to refuse meanwhile. */
  | { outcome: 'unavailable' };

/** Tokens added to a counter after a request, forgotten `ttlMs` after. */
export interface CounterCharge {
  counter: string;
  amount: number;
  ttlMs: number;
}

export abstract class LimitCounters {
  /** Checks every limit of the plan; when all pass, takes the counts and slots, atomically. */
  abstract admit<About extends string>(plan: AdmissionPlan<About>): Promise<Admission<About>>;

  /** Adds each amount to its counter (one that does not exist yet starts at 0). */
  abstract charge(charges: readonly CounterCharge[]): Promise<void>;
}
