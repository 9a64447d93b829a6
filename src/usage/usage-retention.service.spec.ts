// UsageRetention: records past `usage.retention_days` (as configured now) go; newer ones stay;
// a store that fails is reported, never thrown.
import { Logger } from '@nestjs/common';
import Database from 'better-sqlite3';
import type { PluginRegistry } from '../registry/plugin-registry.service';
import { migrate } from '../store/sqlite/migrations';
import { SqliteUsageStore } from '../store/sqlite/sqlite-usage-store';
import { usageRecord } from '../store/usage-store.contract';
import { UsageRetention } from './usage-retention.service';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 31);

describe('UsageRetention', () => {
  let db: Database.Database;
  let store: SqliteUsageStore;
  const registry = (retentionDays: number) => ({ config: { usage: { retentionDays } } }) as unknown as PluginRegistry;

  beforeEach(async () => {
    db = new Database(':memory:');
    migrate(db, ':memory:');
    store = new SqliteUsageStore(db);
    await store.insertBatch([
      usageRecord({ requestId: 'ten-days', at: NOW - 10 * DAY }),
      usageRecord({ requestId: 'three-days', at: NOW - 3 * DAY }),
      usageRecord({ requestId: 'today', at: NOW - 1000 }),
    ]);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });

  afterEach(() => {
    db.close();
    jest.restoreAllMocks();
  });

  const kept = async () => (await store.recent({ limit: 10 })).records.map((r) => r.requestId);

  it('deletes the records older than the retention period, at startup', async () => {
    const retention = new UsageRetention(store, registry(7), () => NOW);
    retention.onApplicationBootstrap();
    await retention.onApplicationShutdown();
    expect(await kept()).toEqual(['today', 'three-days']);
  });

  it('reads the period in force at each prune', async () => {
    const config = registry(30);
    const retention = new UsageRetention(store, config, () => NOW);
    await retention.prune();
    expect(await kept()).toHaveLength(3);
    (config.config.usage as { retentionDays: number }).retentionDays = 2;
    await retention.prune();
    expect(await kept()).toEqual(['today']);
  });

  it('logs a store failure instead of throwing it', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    db.close();
    const retention = new UsageRetention(store, registry(7), () => NOW);
    await expect(retention.prune()).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledWith(expect.anything(), 'could not prune old usage records');
    db = new Database(':memory:');
  });
});
