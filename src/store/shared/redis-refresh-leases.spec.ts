// What the Redis refresh lease adds to the RefreshLeases contract (run for it in
// src/auth/refresh-leases.spec.ts), against the real Redis (127.0.0.1:6379, a random key prefix
// per test) and a real SQLite store: a fencing token that a renewal keeps and a new tenure
// raises; the winner holds the store's lease too, so an instance that cannot reach Redis is kept
// out and keeps the others out; a release wakes the waiters on every instance at once. With Redis
// unreachable the store's lease alone is used, renewed and released there.
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

  const fence = async (lease: RedisRefreshLeases) => ((await lease.get('qwen', 'work')) as RedisRefreshLease).fence;

  it('the winner in Redis holds the store lease too, with a fencing token a renewal keeps and each new tenure raises', async () => {
    // Short enough to wait out, long enough that the calls before the wait (each one renewing
    // it) never see it lapse on a busy machine.
    const short = 1000;
    const [a, b] = [await instance(), await instance()];
    expect(await a.acquire('qwen', 'work', 'host-a:1:x', short)).toBe(true);
    expect((await store.getRefreshLease('qwen', 'work'))?.holder).toBe('host-a:1:x');
    const first = await fence(b);
    expect(first).toBeGreaterThan(0);

    expect(await a.renew('qwen', 'work', 'host-a:1:x', short)).toBe(true);
    expect(await a.acquire('qwen', 'work', 'host-a:1:x', short)).toBe(true);
    expect(await fence(b)).toBe(first);

    // Waiting out a time (the lease's, in Redis and in the store), not for work to be done: a slow machine only waits longer.
    await sleep(short + 50);
    expect(await b.acquire('qwen', 'work', 'host-b:2:y', TTL)).toBe(true);
    const second = await fence(a);
    expect(second).toBeGreaterThan(first);
    await b.release('qwen', 'work', 'host-b:2:y');
    expect(await store.getRefreshLease('qwen', 'work')).toBeUndefined();
    expect(await a.acquire('qwen', 'work', 'host-a:1:x', TTL)).toBe(true);
    expect(await fence(b)).toBeGreaterThan(second);
  });

  it('an instance cut off from Redis (on the store lease alone) and one on Redis never hold it both', async () => {
    const [down, up, waiter] = [await instance(NOWHERE_URL), await instance(), await instance()];

    expect(await down.acquire('qwen', 'work', 'host-d:4:cut-off', TTL)).toBe(true);
    const stop = new AbortController();
    let woken = false;
    void waiter.released('qwen', 'work', stop.signal).then(() => (woken = !stop.signal.aborted));
    expect(await up.acquire('qwen', 'work', 'host-u:5:on-redis', TTL)).toBe(false);
    // Its moment in Redis is undone, quietly: the waiter is not sent round again for nothing.
    expect((await waiter.get('qwen', 'work'))?.holder).toBe('host-d:4:cut-off');
    await sleep(100);
    expect(woken).toBe(false);
    stop.abort();

    await down.release('qwen', 'work', 'host-d:4:cut-off');
    expect(await up.acquire('qwen', 'work', 'host-u:5:on-redis', TTL)).toBe(true);
    expect(await down.acquire('qwen', 'work', 'host-d:4:cut-off', TTL)).toBe(false);
  });

  it('a release wakes the waiters on every instance at once; another account\'s wakes nobody', async () => {
    const [a, b, c] = [await instance(), await instance(), await instance()];
    expect(await a.acquire('qwen', 'work', 'host-a:1:x', TTL)).toBe(true);
    const stop = new AbortController();
    const woken: string[] = [];
    const waits = [b, c].map((each, i) => each.released('qwen', 'work', stop.signal).then(() => woken.push(`waiter-${i}`)));
    await a.acquire('qwen', 'other', 'host-a:1:x', TTL);
    await a.release('qwen', 'other', 'host-a:1:x');
    await sleep(100);
    expect(woken).toEqual([]);

    const releasedAt = Date.now();
    await a.release('qwen', 'work', 'host-a:1:x');
    await Promise.all(waits);

    // released() ends only on the message (there is no poll here), so the wake-up is the message's; the bound only says it came promptly.
    expect(Date.now() - releasedAt).toBeLessThan(2000);
    expect(woken.sort()).toEqual(['waiter-0', 'waiter-1']);
    stop.abort();
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

    // Redis was never written: an instance on Redis sees the store's holder.
    expect((await up.get('qwen', 'work'))?.holder).toBe('host-a:1:x');
    await down.release('qwen', 'work', 'host-a:1:x');
    expect(await store.getRefreshLease('qwen', 'work')).toBeUndefined();
    expect(await up.get('qwen', 'work')).toBeUndefined();
  });
});
