// The SQLite UsageStore against the UsageStore contract, on a database brought up by the real
// migrations; plus what only SQLite has: the query plans that keep aggregates and pruning cheap.
import Database from 'better-sqlite3';
import { describeUsageStoreContract, usageRecord } from '../usage-store.contract';
import { migrate } from './migrations';
import { SqliteUsageStore } from './sqlite-usage-store';

function migratedDatabase(): Database.Database {
  const db = new Database(':memory:');
  migrate(db, ':memory:');
  return db;
}

describeUsageStoreContract('sqlite', async () => {
  const db = migratedDatabase();
  return { store: new SqliteUsageStore(db), close: async () => void db.close() };
});

describe('SqliteUsageStore', () => {
  it('finds a window and a cut by the time index, not by reading the whole table', () => {
    const db = migratedDatabase();
    const plan = (sql: string) =>
      db.prepare<[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`).all().map((row) => row.detail).join('\n');
    expect(plan('SELECT count(*) FROM usage_records WHERE at >= 0 AND at < 10')).toContain('USING COVERING INDEX usage_records_at');
    expect(plan("SELECT count(*) FROM usage_records WHERE key_id = 'k' AND at >= 0")).toContain('usage_records_key_at');
    db.close();
  });

  it('prunes a backlog larger than one slice completely', async () => {
    const db = migratedDatabase();
    const store = new SqliteUsageStore(db);
    const records = Array.from({ length: 12_000 }, (_, i) => usageRecord({ requestId: `r${i}`, at: i }));
    await store.insertBatch(records);
    expect(await store.prune(11_000)).toBe(11_000);
    expect(db.prepare<[], { n: number }>('SELECT count(*) AS n FROM usage_records').get()?.n).toBe(1_000);
    db.close();
  });
});
