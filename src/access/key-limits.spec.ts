// Per-key limits on the in-memory counters with a fake clock: each limit refuses with a 429 that
// names it and says when to retry, and lets the key in again once its window has passed.
import { GatewayError } from '../common/gateway-error';
import type { AccessClock } from './access-clock';
import type { AccessKey } from './access-key';
import { CONCURRENCY_LEASE_MS, KeyLimits, periodAt } from './key-limits';
import { MemoryLimitCounters } from '../store/memory-limit-counters';

/** 2026-03-31T23:59:30Z: thirty seconds before a new minute, day and month. */
const T0 = Date.UTC(2026, 2, 31, 23, 59, 30);

function key(limits: Partial<AccessKey>): AccessKey {
  return { id: 'key_1', name: 'team-a', models: [], ...limits };
}

async function refusal(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    return error as GatewayError;
  }
  throw new Error('expected a refusal');
}

describe('KeyLimits', () => {
  let now: number;
  let limits: KeyLimits;

  beforeEach(() => {
    now = T0;
    const clock: AccessClock = { now: () => now };
    limits = new KeyLimits(new MemoryLimitCounters(), clock);
  });

  it('lets a key without limits in, holding nothing', async () => {
    for (let i = 0; i < 100; i++) await limits.admit(key({}));
  });

  it('refuses the request over rpm with 429, the limit named and retry-after to the next minute; then recovers', async () => {
    const k = key({ rpm: 3 });
    for (let i = 0; i < 3; i++) await limits.admit(k);
    const error = await refusal(limits.admit(k));
    expect([error.status, error.type, error.code]).toEqual([429, 'rate_limit_error', 'rate_limit_exceeded']);
    expect(error.message).toBe('The client key "team-a" is over its limit of 3 requests per minute; retry in 30 s.');
    expect(error.headers).toEqual({ 'retry-after': '30' });
    now += 30_000;
    await limits.admit(k);
  });

  it('keeps each key to its own counters', async () => {
    await limits.admit(key({ id: 'a', rpm: 1 }));
    await limits.admit(key({ id: 'b', rpm: 1 }));
    await refusal(limits.admit(key({ id: 'a', rpm: 1 })));
  });

  it('refuses once this minute’s charged tokens reach tpm, and recovers the next minute', async () => {
    const k = key({ tpm: 100 });
    await limits.charge('key_1', 60);
    await limits.admit(k);
    await limits.charge('key_1', 40);
    const error = await refusal(limits.admit(k));
    expect(error.message).toContain('limit of 100 tokens per minute');
    expect(error.headers['retry-after']).toBe('30');
    now += 30_000;
    await limits.admit(k);
  });

  it('holds a concurrency slot until released', async () => {
    const k = key({ concurrency: 2 });
    const first = await limits.admit(k);
    await limits.admit(k);
    const error = await refusal(limits.admit(k));
    expect(error.message).toContain('limit of 2 concurrent requests');
    expect(error.headers['retry-after']).toBe('1');
    first();
    first(); // a second release frees nothing more
    await limits.admit(k);
    await refusal(limits.admit(k));
  });

  it('gives back the concurrency slot of a request refused for rpm', async () => {
    const k = key({ concurrency: 1, rpm: 1 });
    const release = await limits.admit(k);
    release();
    await refusal(limits.admit(k)); // over rpm
    now += 60_000;
    await limits.admit(k); // the slot was not kept by the refused one
  });

  it('refuses over a daily budget until the next UTC day', async () => {
    const k = key({ budget: { tokens: 1000, per: 'day' } });
    await limits.charge('key_1', 999);
    await limits.admit(k);
    await limits.charge('key_1', 1);
    const error = await refusal(limits.admit(k));
    expect(error.message).toBe('The client key "team-a" is over its limit of 1000 tokens per day; retry in 30 s.');
    now += 30_000; // 2026-04-01T00:00:00Z
    await limits.admit(k);
  });

  it('counts a monthly budget across days, renewed on the first of the month', async () => {
    now = Date.UTC(2026, 3, 10);
    const k = key({ budget: { tokens: 500, per: 'month' } });
    await limits.charge('key_1', 300);
    now = Date.UTC(2026, 3, 20);
    await limits.charge('key_1', 200);
    const error = await refusal(limits.admit(k));
    expect(error.headers['retry-after']).toBe(String((Date.UTC(2026, 4, 1) - now) / 1000));
    now = Date.UTC(2026, 4, 1);
    await limits.admit(k);
  });

  it('takes no request from rpm when tokens refuse it: a refusal does not count', async () => {
    const k = key({ tpm: 100, rpm: 2 });
    await limits.charge('key_1', 100);
    for (let i = 0; i < 5; i++) expect((await refusal(limits.admit(k))).message).toContain('100 tokens per minute');
    now += 30_000;
    await limits.admit(k);
    await limits.admit(k);
    expect((await refusal(limits.admit(k))).message).toContain('2 requests per minute');
  });

  it('ignores zero and missing token counts', async () => {
    await limits.charge('key_1', 0);
    await limits.charge('key_1', Number.NaN);
    await limits.admit(key({ tpm: 1 }));
  });
});

describe('KeyLimits.plan', () => {
  const limits = new KeyLimits(new MemoryLimitCounters(), { now: () => T0 });
  const minute = Date.UTC(2026, 2, 31, 23, 59);

  it('reads the token totals first, then takes a concurrency slot and one request of this minute', () => {
    const plan = limits.plan(key({ rpm: 60, tpm: 1000, concurrency: 4, budget: { tokens: 50_000, per: 'month' } }), T0);
    expect(plan).toEqual([
      { kind: 'below', about: 'budget', counter: `budget:key_1:month:${Date.UTC(2026, 2, 1)}`, limit: 50_000 },
      { kind: 'below', about: 'tpm', counter: `tpm:key_1:${minute}`, limit: 1000 },
      { kind: 'slot', about: 'concurrency', counter: 'concurrent:key_1', limit: 4, leaseMs: CONCURRENCY_LEASE_MS },
      // Until a minute after the window ends (30 s from now): a clock a little behind still finds it.
      { kind: 'count', about: 'rpm', counter: `rpm:key_1:${minute}`, limit: 60, ttlMs: 90_000 },
    ]);
  });

  it('plans only the limits the key has, and reads the same counters the charges add to', async () => {
    expect(limits.plan(key({ rpm: 5 }), T0)).toEqual([{ kind: 'count', about: 'rpm', counter: `rpm:key_1:${minute}`, limit: 5, ttlMs: 90_000 }]);
    expect(limits.plan(key({ budget: { tokens: 9, per: 'day' } }), T0).map((l) => l.counter)).toEqual([`budget:key_1:day:${Date.UTC(2026, 2, 31)}`]);
    const counters = new MemoryLimitCounters();
    await new KeyLimits(counters, { now: () => T0 }).charge('key_1', 7);
    const planned = limits.plan(key({ tpm: 1, budget: { tokens: 1, per: 'day' } }), T0);
    expect(planned.map((l) => counters.value(l.counter))).toEqual([7, 7]);
    expect(counters.value(limits.plan(key({ budget: { tokens: 1, per: 'month' } }), T0)[0].counter)).toBe(7);
  });
});

describe('periodAt', () => {
  it('gives UTC minute, day and month windows', () => {
    expect(periodAt('minute', T0)).toEqual({ start: Date.UTC(2026, 2, 31, 23, 59), end: Date.UTC(2026, 3, 1) });
    expect(periodAt('day', T0)).toEqual({ start: Date.UTC(2026, 2, 31), end: Date.UTC(2026, 3, 1) });
    expect(periodAt('month', Date.UTC(2026, 11, 15))).toEqual({ start: Date.UTC(2026, 11, 1), end: Date.UTC(2027, 0, 1) });
  });
});

describe('periodAt, at the edges of days, months and a leap year', () => {
  it.each([
    ['2026-12-03T07:37:02.123Z', 'day', '2026-12-03T00:00:00.000Z', '2026-12-04T00:00:00.000Z'],
    ['2026-12-31T23:59:59.999Z', 'day', '2026-12-31T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    ['2026-12-03T07:37:02.123Z', 'month', '2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    ['2027-01-01T00:00:00.000Z', 'month', '2027-01-01T00:00:00.000Z', '2027-02-01T00:00:00.000Z'],
    ['2028-02-29T12:00:00.000Z', 'month', '2028-02-01T00:00:00.000Z', '2028-03-01T00:00:00.000Z'],
    ['2028-02-29T12:00:00.000Z', 'minute', '2028-02-29T12:00:00.000Z', '2028-02-29T12:01:00.000Z'],
  ] as const)('%s: the %s runs from %s to %s (UTC)', (at, per, start, end) => {
    const window = periodAt(per, Date.parse(at));
    expect([new Date(window.start).toISOString(), new Date(window.end).toISOString()]).toEqual([start, end]);
  });
});
