// LimitCounters in this process's memory: one gateway's limits, and each instance's own share
// while the shared Redis is down. A Map of counters with an expiry time, checked when read and
// swept now and then so idle keys cost nothing; everything is synchronous, so an admission is
// atomic by construction and costs a request a few Map lookups.
import {
  LimitCounters,
  NOTHING_TO_RELEASE,
  type Admission,
  type AdmissionPlan,
  type CounterCharge,
  type Release,
} from './limit-counters';

/** How often expired counters are swept out (on the next call after it). */
const SWEEP_EVERY_MS = 60_000;

interface Counter {
  value: number;
  /** ms since epoch; Infinity for slots, which only their release takes back. */
  expiresAt: number;
}

export class MemoryLimitCounters extends LimitCounters {
  private readonly counters = new Map<string, Counter>();
  private nextSweep = 0;

  /** `now` is the clock expiry is measured on. */
  constructor(private readonly now: () => number = Date.now) {
    super();
  }

  admit<About extends string>(plan: AdmissionPlan<About>): Promise<Admission<About>> {
    return Promise.resolve(this.admitNow(plan));
  }

  charge(charges: readonly CounterCharge[]): Promise<void> {
    const now = this.now();
    for (const { counter, amount, ttlMs } of charges) this.add(counter, amount, now + ttlMs, now);
    return Promise.resolve();
  }

  /** How many counters are kept (expired ones until the next sweep). */
  get size(): number {
    return this.counters.size;
  }

  /** The counter's value; 0 when it does not exist or has expired. */
  value(name: string, now = this.now()): number {
    const counter = this.counters.get(name);
    if (counter === undefined) return 0;
    if (counter.expiresAt <= now) {
      this.counters.delete(name);
      return 0;
    }
    return counter.value;
  }

  private admitNow<About extends string>(plan: AdmissionPlan<About>): Admission<About> {
    const now = this.now();
    if (now >= this.nextSweep) this.sweep(now);
    for (const limit of plan) {
      if (this.value(limit.counter, now) >= limit.limit) return { outcome: 'refused', limit };
    }
    let release = NOTHING_TO_RELEASE;
    for (const limit of plan) {
      if (limit.kind === 'count') this.add(limit.counter, 1, now + limit.ttlMs, now);
      else if (limit.kind === 'slot') {
        // A slot lives as long as this process does: no lease, the release gives it back.
        this.add(limit.counter, 1, Infinity, now);
        release = release === NOTHING_TO_RELEASE ? this.slotRelease(limit.counter) : both(release, this.slotRelease(limit.counter));
      }
    }
    return { outcome: 'admitted', release };
  }

  /** Adds to a counter; one that does not exist yet (or has expired) starts at 0 and expires at `expiresAt`. */
  private add(name: string, amount: number, expiresAt: number, now: number): void {
    const counter = this.counters.get(name);
    if (counter === undefined || counter.expiresAt <= now) this.counters.set(name, { value: amount, expiresAt });
    else counter.value += amount;
  }

  private slotRelease(name: string): Release {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const counter = this.counters.get(name);
      if (counter === undefined) return;
      counter.value -= 1;
      if (counter.value <= 0) this.counters.delete(name);
    };
  }

  private sweep(now: number): void {
    this.nextSweep = now + SWEEP_EVERY_MS;
    for (const [name, counter] of this.counters) if (counter.expiresAt <= now) this.counters.delete(name);
  }
}

function both(a: Release, b: Release): Release {
  return () => {
    a();
    b();
  };
}
