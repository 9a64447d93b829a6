// The PostgreSQL UsageStore on the local server, each test in a schema of its own: the shared
// contract; the same aggregates as the SQLite store for the same records (medians included);
// a full writer batch stored in one statement; pruning a backlog larger than one slice; records
// from two gateways seen by both.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropSchema, randomSchema, rawQuery, TEST_DATABASE_URL } from '../../../test/support/postgres';
import { SECRET_KEY_ENV } from '../secret-key';
import { migrate } from '../sqlite/migrations';
import { SqliteUsageStore } from '../sqlite/sqlite-usage-store';
import type { UsageRecord } from '../usage-record';
import { USAGE_GROUPINGS } from '../usage-store';
import { describeUsageStoreContract, usageRecord } from '../usage-store.contract';
import { PostgresDatabase } from './postgres-database';
import { PostgresUsageStore } from './postgres-usage-store';

const env = { [SECRET_KEY_ENV]: Buffer.alloc(32, 11).toString('base64') };

function sandbox() {
  const schema = randomSchema();
  const home = mkdtempSync(join(tmpdir(), 'byokey-pg-home-'));
  const opened: PostgresDatabase[] = [];
  return {
    schema,
    async open(): Promise<PostgresUsageStore> {
      const database = await PostgresDatabase.open({ url: TEST_DATABASE_URL, schema, home, env });
      opened.push(database);
      return new PostgresUsageStore(database);
    },
    async close(): Promise<void> {
      for (const database of opened) await database.close();
      await dropSchema(schema);
      rmSync(home, { recursive: true, force: true });
    },
  };
}

describeUsageStoreContract('postgres', async () => {
  const box = sandbox();
  return { store: await box.open(), close: () => box.close() };
});

describe('PostgresUsageStore', () => {
  let box: ReturnType<typeof sandbox>;

  beforeEach(() => {
    box = sandbox();
  });
  afterEach(async () => {
    await box.close();
  });

  /** A deterministic spread of records: several keys, models, instances, statuses and timings. */
  function spread(count: number): UsageRecord[] {
    // mulberry32: small, and good enough in its low bits for `% n`.
    let seed = 42;
    const next = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    return Array.from({ length: count }, (_, i) => {
      const key = next(4);
      const instance = ['openai', 'claude', 'local'][next(3)];
      return usageRecord({
        at: 1_000_000 + next(100_000),
        requestId: `r-${i}`,
        keyId: key === 3 ? undefined : `key-${key}`,
        keyName: key === 3 ? undefined : `Team-${key}`,
        modelServed: next(5) === 0 ? undefined : ['gpt-5', 'Claude-x', 'a-model', '_under'][next(4)],
        modelRequested: ['fast', 'smart'][next(2)],
        instance: next(10) === 0 ? undefined : instance,
        credential: next(8) === 0 ? undefined : `api_keys[${next(3)}]`,
        status: [200, 200, 200, 429, 502][next(5)],
        errorType: next(7) === 0 ? 'overloaded_error' : undefined,
        tokens: { input: next(5000), output: next(2000), cached: next(100), reasoning: next(50) },
        ttfbMs: next(6) === 0 ? undefined : next(900),
        durationMs: next(20_000),
        stream: next(2) === 0,
        attempts: 1 + next(3),
      });
    });
  }

  it('gives the same aggregates as the SQLite store for the same records, by every grouping', async () => {
    const records = spread(3_000);
    const sqlite = new Database(':memory:');
    migrate(sqlite, ':memory:');
    const reference = new SqliteUsageStore(sqlite);
    const store = await box.open();
    await reference.insertBatch(records);
    await store.insertBatch(records);
    for (const window of [{ since: 0, until: 2_000_000 }, { since: 1_020_000, until: 1_020_500 }, { since: 1_050_000, until: 1_050_001 }]) {
      for (const by of USAGE_GROUPINGS) {
        const expected = await reference.aggregate(window, by);
        expect(await store.aggregate(window, by)).toEqual(expected);
      }
    }
    // The comparison compared something: several groups, an even count among them (a lower median).
    const groups = await store.aggregate({ since: 0, until: 2_000_000 }, 'model');
    expect(groups.length).toBeGreaterThan(4);
    expect(groups.some((g) => g.requests % 2 === 0 && g.p50DurationMs !== undefined)).toBe(true);
    sqlite.close();
  });

  it('stores a full writer batch (2000 records) in one statement, in the batch order', async () => {
    const store = await box.open();
    const records = spread(2_000);
    await store.insertBatch(records);
    const stored = await rawQuery<{ request_id: string }>(box.schema, 'SELECT request_id FROM usage_records ORDER BY id');
    expect(stored.map((row) => row.request_id)).toEqual(records.map((r) => r.requestId));
    // Rows written by one statement share its transaction (xmin) and its command number in that
    // transaction (cmin); row-by-row inserts, even in one transaction, would each have their own.
    const writes = await rawQuery<{ n: number }>(box.schema, "SELECT count(DISTINCT xmin::text || ':' || cmin::text)::int AS n FROM usage_records");
    expect(writes).toEqual([{ n: 1 }]);
  });

  it('prunes a backlog larger than one slice completely', async () => {
    const store = await box.open();
    await store.insertBatch(Array.from({ length: 12_000 }, (_, i) => usageRecord({ requestId: `r${i}`, at: i })));
    expect(await store.prune(11_000)).toBe(11_000);
    expect(await rawQuery(box.schema, 'SELECT count(*)::int AS n FROM usage_records')).toEqual([{ n: 1_000 }]);
  });

  it('sees on each gateway the records both wrote', async () => {
    const [a, b] = [await box.open(), await box.open()];
    await Promise.all([a.insertBatch([usageRecord({ requestId: 'from-a', instance: 'a' })]), b.insertBatch([usageRecord({ requestId: 'from-b', instance: 'b' })])]);
    for (const store of [a, b]) {
      expect((await store.recent({ limit: 10 })).records.map((r) => r.requestId).sort()).toEqual(['from-a', 'from-b']);
      expect((await store.aggregate({ since: 0, until: Number.MAX_SAFE_INTEGER }, 'instance')).map((g) => g.group)).toEqual(['a', 'b']);
    }
  });
});
