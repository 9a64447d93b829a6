// The in-memory counters: adding, taking back, reading, expiry — and a month-long counter that
// must not be lost to setTimeout's 24.8-day limit.
import { MemoryLimitCounters } from './memory-limit-counters';

describe('MemoryLimitCounters', () => {
  it('adds, takes back and reads; an unknown counter is 0', async () => {
    const counters = new MemoryLimitCounters();
    expect(await counters.get('a')).toBe(0);
    expect(await counters.add('a', 3, 60_000)).toBe(3);
    expect(await counters.add('a', -1, 60_000)).toBe(2);
    expect(await counters.get('a')).toBe(2);
    expect(await counters.get('b')).toBe(0);
  });

  it('forgets a counter when its time is up', async () => {
    const counters = new MemoryLimitCounters();
    await counters.add('short', 1, 1000);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await counters.get('short')).toBe(0);
  });

  it('keeps a counter that should live a month', async () => {
    const counters = new MemoryLimitCounters();
    await counters.add('month', 5, 31 * 86_400_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(await counters.get('month')).toBe(5);
  });
});
