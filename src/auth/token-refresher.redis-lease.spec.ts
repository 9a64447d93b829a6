// TokenRefresher on the Redis refresh lease (the real Redis at 127.0.0.1:6379, a random key
// prefix per test): three refreshers stand for three gateway instances, each with its own
// SharedRedis and its own store on one SQLite file (their shared database), against a fake token
// endpoint that counts calls and rotates refresh tokens. However many requests find the token
// expired at once, one token call is made and everyone gets its tokens — the waiters woken the
// moment the holder lets go, not at their next poll. With Redis unreachable, the store's lease
// keeps it to one call all the same.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { FakeOAuthServer } from '../../test/fakes/oauth-server.fake';
import { qwenTestDefinition } from '../../test/fakes/oauth-definitions.fake';
import { eventually, NOWHERE_URL, RedisInstances } from '../../test/support/redis-instances';
import type { Account } from '../store/account';
import { RedisRefreshLeases } from '../store/shared/redis-refresh-leases';
import { SqliteAccountStore } from '../store/sqlite/sqlite-account-store';
import { LEASE_POLL_MS, TokenRefresher, type TokenRefresherDeps } from './token-refresher';

/** Polls this slow make a waiter that is not woken take seconds. */
const SLOW_POLL_MS = 5_000;

describe('TokenRefresher on the Redis refresh lease, three instances', () => {
  const oauth = new FakeOAuthServer();
  let home: string;
  let redis: RedisInstances;
  let stores: SqliteAccountStore[];
  let leases: RedisRefreshLeases[];

  beforeAll(() => oauth.start());
  afterAll(() => oauth.stop());
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'byokey-redis-refresh-'));
    redis = new RedisInstances();
    stores = [];
    leases = [];
  });
  afterEach(async () => {
    oauth.tokenLatencyMs = 0;
    await Promise.all(leases.map((l) => l.onApplicationShutdown()));
    await redis.close();
    for (const store of stores) await store.close();
    rmSync(home, { recursive: true, force: true });
  });

  /** One instance: its own store on the shared file, its own Redis connection, its refresher. */
  async function instance(deps: Partial<TokenRefresherDeps> = {}, url?: string): Promise<{ refresher: TokenRefresher; store: SqliteAccountStore }> {
    const store = SqliteAccountStore.open({ home, env: {} });
    stores.push(store);
    const lease = new RedisRefreshLeases(await redis.open(url), store);
    leases.push(lease);
    await lease.open();
    const definition = qwenTestDefinition(oauth);
    const refresher = new TokenRefresher(store, (provider) => (provider === 'qwen' ? definition : undefined), { leases: lease, ...deps });
    return { refresher, store };
  }

  async function seedExpired(store: SqliteAccountStore): Promise<Account> {
    return store.save({
      provider: 'qwen',
      accountId: 'default',
      tokens: { accessToken: 'old-access', refreshToken: oauth.seedRefreshToken('qwen') },
      expiresAt: Date.now() - 1000,
    });
  }

  const refreshes = () => oauth.tokenCallCount('refresh_token', 'qwen');

  it('20 requests at once across three instances: one token call, and the waiters are woken when it is stored', async () => {
    // A waiter that is not woken sits out a whole (slowed) poll.
    const sleep: NonNullable<TokenRefresherDeps['sleep']> = (ms, signal) => delay(ms === LEASE_POLL_MS ? SLOW_POLL_MS : ms, undefined, { signal });
    const instances = [await instance({ sleep }), await instance({ sleep }), await instance({ sleep })];
    const stale = await seedExpired(instances[0].store);
    oauth.tokenLatencyMs = 300;
    const before = refreshes();
    const started = Date.now();

    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => instances[i % 3].refresher.ensureFresh(stale)));

    expect(refreshes()).toBe(before + 1);
    const tokens = new Set(results.map((a) => a.tokens.accessToken));
    expect(tokens.size).toBe(1);
    expect([...tokens][0]).not.toBe('old-access');
    expect((await instances[2].store.get('qwen', 'default'))?.tokens.accessToken).toBe([...tokens][0]);
    expect((await instances[1].store.get('qwen', 'default'))?.status).toBe('active');
    // The token call takes 300 ms; a waiter left to its poll would take 5 s (the bound leaves a busy machine room below that).
    expect(Date.now() - started).toBeLessThan(4_000);
    // The lease was let go.
    expect(await leases[0].get('qwen', 'default')).toBeUndefined();
  });

  it('a forced refresh on one instance while another holds the lease uses the holder\'s new tokens', async () => {
    const [a, b] = [await instance(), await instance()];
    const stale = await seedExpired(a.store);
    oauth.tokenLatencyMs = 300;
    const before = refreshes();

    const first = a.refresher.ensureFresh(stale);
    await eventually(() => leases[0].get('qwen', 'default'), 10_000, "a's lease"); // a holds the lease now
    const second = b.refresher.ensureFresh(stale, { force: true });

    const [fromA, fromB] = await Promise.all([first, second]);
    expect(refreshes()).toBe(before + 1);
    expect(fromB.tokens.accessToken).toBe(fromA.tokens.accessToken);
  });

  it('with Redis unreachable, the store lease keeps it to one token call', async () => {
    const instances = [await instance({}, NOWHERE_URL), await instance({}, NOWHERE_URL), await instance({}, NOWHERE_URL)];
    const stale = await seedExpired(instances[0].store);
    oauth.tokenLatencyMs = 300;
    const before = refreshes();

    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => instances[i % 3].refresher.ensureFresh(stale)));

    expect(refreshes()).toBe(before + 1);
    expect(new Set(results.map((a) => a.tokens.accessToken)).size).toBe(1);
    expect(await instances[0].store.getRefreshLease('qwen', 'default')).toBeUndefined();
  });
});
