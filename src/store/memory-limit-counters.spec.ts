// The in-memory counters: the LimitCounters contract on a fake clock, plus what only memory must
// mind — expired counters swept out so idle keys cost nothing, and a month-long counter kept.
import { describeLimitCountersContract } from './limit-counters.contract';
import { MemoryLimitCounters } from './memory-limit-counters';

describeLimitCountersContract('MemoryLimitCounters', async () => {
  let now = 1_760_000_000_000;
  return {
    counters: new MemoryLimitCounters(() => now),
    elapse: async (ms) => {
      now += ms;
    },
    close: async () => undefined,
  };
});

describe('MemoryLimitCounters', () => {
  let now: number;
  let counters: MemoryLimitCounters;

  beforeEach(() => {
    now = 1_760_000_000_000;
    counters = new MemoryLimitCounters(() => now);
  });

  it('sweeps out expired counters, so idle keys take no memory', async () => {
    for (let i = 0; i < 100; i++) await counters.charge([{ counter: `idle-${i}`, amount: 1, ttlMs: 1000 }]);
    await counters.admit([{ kind: 'count', about: 'rpm', counter: 'kept', limit: 10, ttlMs: 600_000 }]);
    expect(counters.size).toBe(101);
    now += 120_000;
    await counters.admit([]);
    expect(counters.size).toBe(1);
    expect(counters.value('kept')).toBe(1);
  });

  it('keeps a counter that should live a month', async () => {
    await counters.charge([{ counter: 'month', amount: 5, ttlMs: 31 * 86_400_000 }]);
    now += 30 * 86_400_000;
    expect(counters.value('month')).toBe(5);
    now += 86_400_000;
    expect(counters.value('month')).toBe(0);
  });
});
