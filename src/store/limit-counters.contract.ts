// The behaviour every LimitCounters must have, written against the abstract class so each backend
// (memory here, Redis in shared/) runs the same suite from its own spec:
//   describeLimitCountersContract('MemoryLimitCounters', async () => ({ counters, elapse, close }));
// Jest globals only: this file is imported by specs, never by the app.
import type { Admission, AdmissionPlan, LimitCounters, PlannedLimit, Release } from './limit-counters';

export interface LimitCountersFixture {
  counters: LimitCounters;
  /** Lets `ms` pass for the counters' expiry (a fake clock moved, or real time waited). */
  elapse(ms: number): Promise<void>;
  close(): Promise<void>;
}

const LONG = 3_600_000;

const count = (counter: string, limit: number, ttlMs = LONG): PlannedLimit => ({ kind: 'count', about: `count ${counter}`, counter, limit, ttlMs });
const slot = (counter: string, limit: number, leaseMs = LONG): PlannedLimit => ({ kind: 'slot', about: `slot ${counter}`, counter, limit, leaseMs });
const below = (counter: string, limit: number): PlannedLimit => ({ kind: 'below', about: `below ${counter}`, counter, limit });

/** The release of an admission that must have been admitted. */
function admitted(admission: Admission): Release {
  if (admission.outcome !== 'admitted') throw new Error(`expected admitted, got ${JSON.stringify(admission)}`);
  return admission.release;
}

/** Which limit refused, by its `about`; 'admitted' or 'unavailable' otherwise. */
function verdict(admission: Admission): string {
  return admission.outcome === 'refused' ? admission.limit.about : admission.outcome;
}

export function describeLimitCountersContract(backend: string, open: () => Promise<LimitCountersFixture>): void {
  describe(`${backend} (LimitCounters contract)`, () => {
    let fixture: LimitCountersFixture;
    let counters: LimitCounters;
    const admit = (plan: AdmissionPlan) => counters.admit(plan);

    beforeEach(async () => {
      fixture = await open();
      counters = fixture.counters;
    });

    afterEach(async () => {
      await fixture.close();
    });

    it('admits a count up to its limit, then refuses with that limit', async () => {
      for (let i = 0; i < 3; i++) expect(verdict(await admit([count('rpm', 3)]))).toBe('admitted');
      const refusal = await admit([count('rpm', 3)]);
      expect(refusal).toEqual({ outcome: 'refused', limit: count('rpm', 3) });
      expect(verdict(await admit([count('other', 3)]))).toBe('admitted');
    });

    it('takes nothing for a refused request: a later limit refusing leaves the earlier count and slot untouched', async () => {
      admitted(await admit([count('full', 1)]));
      for (let i = 0; i < 5; i++) expect(verdict(await admit([count('c', 2), slot('s', 1), count('full', 1)]))).toBe('count full');
      // Neither the count nor the slot was taken by the five refusals.
      const release = admitted(await admit([count('c', 2), slot('s', 1)]));
      expect(verdict(await admit([slot('s', 1)]))).toBe('slot s');
      release();
      admitted(await admit([count('c', 2), slot('s', 1)]));
      expect(verdict(await admit([count('c', 2)]))).toBe('count c');
    });

    it('refuses with the first limit exceeded, in the plan’s order', async () => {
      await counters.charge([{ counter: 'tokens', amount: 10, ttlMs: LONG }]);
      admitted(await admit([count('rpm', 1)]));
      expect(verdict(await admit([below('tokens', 10), count('rpm', 1)]))).toBe('below tokens');
      expect(verdict(await admit([count('rpm', 1), below('tokens', 10)]))).toBe('count rpm');
    });

    it('holds a slot until released; a second release frees nothing more', async () => {
      const first = admitted(await admit([slot('conc', 2)]));
      const second = admitted(await admit([slot('conc', 2)]));
      expect(verdict(await admit([slot('conc', 2)]))).toBe('slot conc');
      first();
      first();
      const third = admitted(await admit([slot('conc', 2)]));
      expect(verdict(await admit([slot('conc', 2)]))).toBe('slot conc');
      second();
      third();
      admitted(await admit([slot('conc', 2)]));
      admitted(await admit([slot('conc', 2)]));
    });

    it('refuses a total below its limit once charges reach it, and keeps counters apart', async () => {
      const charge = (amount: number) => counters.charge([{ counter: 'day', amount, ttlMs: LONG }, { counter: 'month', amount, ttlMs: LONG }]);
      await charge(60);
      admitted(await admit([below('day', 100)]));
      await charge(39);
      admitted(await admit([below('day', 100)]));
      await charge(1);
      expect(verdict(await admit([below('day', 100)]))).toBe('below day');
      expect(verdict(await admit([below('month', 101)]))).toBe('admitted');
      expect(verdict(await admit([below('month', 100)]))).toBe('below month');
      expect(verdict(await admit([below('unknown', 1)]))).toBe('admitted');
    });

    it('forgets a count and a charge when their time is up', async () => {
      // Times long enough that the checks before the end fit in them however slow the machine
      // (elapse is real time for Redis).
      admitted(await admit([count('short', 1, 1500)]));
      await counters.charge([{ counter: 'spent', amount: 5, ttlMs: 1500 }]);
      expect(verdict(await admit([count('short', 1, 1500), below('spent', 5)]))).toBe('count short');
      expect(verdict(await admit([below('spent', 5)]))).toBe('below spent');
      await fixture.elapse(1650);
      admitted(await admit([count('short', 1, 1500), below('spent', 5)]));
    });

    it('admits a plan with nothing to take and holds nothing', async () => {
      const admission = await admit([below('nothing', 1)]);
      admitted(admission)();
      expect(verdict(await admit([]))).toBe('admitted');
    });
  });
}
