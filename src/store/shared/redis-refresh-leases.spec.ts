// RedisRefreshLeases against the real Redis (127.0.0.1:6379, a random key prefix per test), three
// instances each on its own connection: of 20 acquirers at once exactly one holds the lease;
// only the holder renews or releases it; an expired lease is taken, a named dead holder's taken
// over; fencing tokens grow; a release wakes waiters on other instances. With Redis unreachable
// the store's lease is used instead (a real SQLite store), renewed and released there.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NOWHERE_URL, RedisInstances, sleep } from '../../../test/support/redis-instances';
import { SqliteAccountStore } from '../sqlite/sqlite-account-store';
import { RedisRefreshLeases, type RedisRefreshLease } from './redis-refresh-leases';

const TTL = 15_000;

describe('RedisRefreshLeases', () => {
  let redis: RedisInstances;
  let home: string;
  let store: SqliteAccountStore;
  let leases: RedisRefreshLeases[];

  beforeEach(async () => {
    redis = new RedisInstances();
    home = mkdtempSync(join(tmpdir(), 'byokey-redis-lease-'));
    store = SqliteAccountStore.open({ home, env: {} });
    await store.save({ provider: 'qwen', accountId: 'work', tokens: { accessToken: 'a', refreshToken: 'r' }, expiresAt: Date.now() + 60_000 });
    leases = [];
  });
  afterEach(async () => {
    await Promise.all(leases.map((l) => l.onApplicationShutdown()));
    await redis.close();
    await store.close();
    rmSync(home, { recursive: true, force: true });
  });

  async function instance(url?: string): Promise<RedisRefreshLeases> {
    const lease = new RedisRefreshLeases(await redis.open(url), store);
    leases.push(lease);
    await lease.open();
    return lease;
  }

  it('of 20 acquirers at once across three instances, exactly one holds the lease', async () => {
    const instances = [await instance(), await instance(), await instance()];
    const holders = Array.from({ length: 20 }, (_, i) => `host-${i % 3}:${100 + i}:acquirer-${i}`);

    const taken = await Promise.all(holders.map((holder, i) => instances[i % 3].acquire('qwen', 'work', holder, TTL)));

    expect(taken.filter(Boolean)).toHaveLength(1);
    const winner = holders[taken.indexOf(true)];
    for (const each of instances) expect((await each.get('qwen', 'work'))?.holder).toBe(winner);
    // Redis held it, not the store.
    expect(await store.getRefreshLease('qwen', 'work')).toBeUndefined();
  });

  it('shows its holder, heartbeat and expiry; the holder renews it, anyone else is refused', async () => {
    const [a, b] = [await instance(), await instance()];
    const before = Date.now();
    expect(await a.acquire('qwen', 'work', 'host-a:1:x', TTL)).toBe(true);
    const lease = (await b.get('qwen', 'work')) as RedisRefreshLease;
    expect(lease.holder).toBe('host-a:1:x');
    expect(lease.heartbeatAt).toBeGreaterThanOrEqual(before);
    expect(lease.until).toBeGreaterThan(Date.now() + TTL - 1000);
    expect(lease.until).toBeLessThanOrEqual(Date.now() + TTL + 50);

    expect(await b.renew('qwen', 'work', 'host-b:2:y', TTL)).toBe(false);
    await b.release('qwen', 'work', 'host-b:2:y');
    expect((await a.get('qwen', 'work'))?.holder).toBe('host-a:1:x');
    expect(await b.acquire('qwen', 'work', 'host-b:2:y', TTL)).toBe(false);

    await sleep(20);
    expect(await a.renew('qwen', 'work', 'host-a:1:x', TTL)).toBe(true);
    const renewed = (await b.get('qwen', 'work')) as RedisRefreshLease;
    expect(renewed.heartbeatAt).toBeGreaterThan(lease.heartbeatAt!);
    // A renewal keeps the fencing token: it is still the same tenure.
    expect(renewed.fence).toBe(lease.fence);
    // Taking it again while holding it is a renewal too.
    expect(await a.acquire('qwen', 'work', 'host-a:1:x', TTL)).toBe(true);
    expect(((await b.get('qwen', 'work')) as RedisRefreshLease).fence).toBe(lease.fence);

    await a.release('qwen', 'work', 'host-a:1:x');
    expect(await b.get('qwen', 'work')).toBeUndefined();
    expect(await a.renew('qwen', 'work', 'host-a:1:x', TTL)).toBe(false);
  });

  it('an expired lease is taken by the next acquirer, with a larger fencing token', async () => {
    const [a, b] = [await instance(), await instance()];
    expect(await a.acquire('qwen', 'work', 'host-a:1:x', 150)).toBe(true);
    const first = (await a.get('qwen', 'work')) as RedisRefreshLease;
    expect(await b.acquire('qwen', 'work', 'host-b:2:y', TTL)).toBe(false);

    await sleep(200);

    expect(await b.acquire('qwen', 'work', 'host-b:2:y', TTL)).toBe(true);
    const second = (await a.get('qwen', 'work')) as RedisRefreshLease;
    expect(second.holder).toBe('host-b:2:y');
    expect(second.fence).toBeGreaterThan(first.fence);
    // The old holder's heartbeat comes too late.
    expect(await a.renew('qwen', 'work', 'host-a:1:x', TTL)).toBe(false);
  });

  it('a holder found dead is taken over by naming it, by one taker only', async () => {
    const [a, b, c] = [await instance(), await instance(), await instance()];
    expect(await a.acquire('qwen', 'work', 'host-a:1:dead', TTL)).toBe(true);

    expect(await b.acquire('qwen', 'work', 'host-b:2:y', TTL, 'host-a:1:somebody-else')).toBe(false);
    const takers = await Promise.all([
      b.acquire('qwen', 'work', 'host-b:2:y', TTL, 'host-a:1:dead'),
      c.acquire('qwen', 'work', 'host-c:3:z', TTL, 'host-a:1:dead'),
    ]);

    expect(takers.filter(Boolean)).toHaveLength(1);
    expect((await a.get('qwen', 'work'))?.holder).toBe(takers[0] ? 'host-b:2:y' : 'host-c:3:z');
  });

  it('a release wakes the waiters on every instance at once', async () => {
    const [a, b, c] = [await instance(), await instance(), await instance()];
    expect(await a.acquire('qwen', 'work', 'host-a:1:x', TTL)).toBe(true);
    const stop = new AbortController();
    const woken: string[] = [];
    const waits = [b, c].map((each, i) => each.released('qwen', 'work', stop.signal).then(() => woken.push(`waiter-${i}`)));
    // Another account's release wakes nobody.
    await a.acquire('qwen', 'other', 'host-a:1:x', TTL);
    await a.release('qwen', 'other', 'host-a:1:x');
    await sleep(100);
    expect(woken).toEqual([]);

    const releasedAt = Date.now();
    await a.release('qwen', 'work', 'host-a:1:x');
    await Promise.all(waits);

    expect(Date.now() - releasedAt).toBeLessThan(500);
    expect(woken.sort()).toEqual(['waiter-0', 'waiter-1']);
    stop.abort();
  });

  it('a wait ends when its signal aborts', async () => {
    const a = await instance();
    const stop = new AbortController();
    const wait = a.released('qwen', 'work', stop.signal);
    setTimeout(() => stop.abort(), 20);
    await expect(wait).resolves.toBeUndefined();
  });

  it('with Redis unreachable, the store lease is used: taken, seen, renewed and released there', async () => {
    const down = await instance(NOWHERE_URL);
    const up = await instance();

    expect(await down.acquire('qwen', 'work', 'host-a:1:x', TTL)).toBe(true);
    expect((await store.getRefreshLease('qwen', 'work'))?.holder).toBe('host-a:1:x');
    expect((await down.get('qwen', 'work'))?.holder).toBe('host-a:1:x');
    // Another holder falling back to the store too is kept out by it.
    expect(await down.acquire('qwen', 'work', 'host-b:2:y', TTL)).toBe(false);
    expect(await down.renew('qwen', 'work', 'host-a:1:x', TTL)).toBe(true);

    await down.release('qwen', 'work', 'host-a:1:x');
    expect(await store.getRefreshLease('qwen', 'work')).toBeUndefined();
    // Redis was never written.
    expect(await up.get('qwen', 'work')).toBeUndefined();
  });
});
