// The RefreshLeases contract, run against both backends: the account store's lease (three
// SqliteAccountStores on one file stand for three processes sharing the store) and Redis' (three
// SharedRedis connections to the real Redis at 127.0.0.1:6379 under a random key prefix).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisInstances } from '../../test/support/redis-instances';
import { RedisRefreshLeases } from '../store/shared/redis-refresh-leases';
import { SqliteAccountStore } from '../store/sqlite/sqlite-account-store';
import { describeRefreshLeasesContract } from './refresh-leases.contract';
import { type RefreshLeases, StoreRefreshLeases } from './refresh-leases';

/** Three stores on one new SQLite file, with the accounts the contract uses. */
async function sharedStore(): Promise<{ stores: SqliteAccountStore[]; close(): Promise<void> }> {
  const home = mkdtempSync(join(tmpdir(), 'byokey-leases-'));
  const stores = [0, 1, 2].map(() => SqliteAccountStore.open({ home, env: {} }));
  for (const accountId of ['work', 'home']) {
    await stores[0].save({ provider: 'qwen', accountId, tokens: { accessToken: 'a', refreshToken: 'r' }, expiresAt: Date.now() + 60_000 });
  }
  return {
    stores,
    async close() {
      for (const store of stores) await store.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

describeRefreshLeasesContract('StoreRefreshLeases on SQLite', async () => {
  const shared = await sharedStore();
  const [a, b, c] = shared.stores.map((store): RefreshLeases => new StoreRefreshLeases(store));
  return { instances: [a, b, c], close: () => shared.close() };
});

describeRefreshLeasesContract('RedisRefreshLeases', async () => {
  const shared = await sharedStore();
  const redis = new RedisInstances();
  const leases = await Promise.all(
    shared.stores.map(async (store): Promise<RedisRefreshLeases> => {
      const lease = new RedisRefreshLeases(await redis.open(), store);
      await lease.open();
      return lease;
    }),
  );
  return {
    // Assigned to the abstract class: RedisRefreshLeases (in store/, which knows nothing of auth) must fit it.
    instances: [leases[0], leases[1], leases[2]],
    async close() {
      await Promise.all(leases.map((l) => l.onApplicationShutdown()));
      await redis.close();
      await shared.close();
    },
  };
});
