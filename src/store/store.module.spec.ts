// StoreModule picks the backend `store:` names and closes it last: with PostgreSQL every store is
// the PostgreSQL one and there is no SQLite connection to inject; with SQLite there is; and a
// module that writes usage in its own shutdown hook still finds the database open.
import { Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropSchema, randomSchema, rawQuery, TEST_DATABASE_URL } from '../../test/support/postgres';
import { AccountStore } from './account-store';
import { ClientKeyStore } from './client-key-store';
import { PostgresAccountStore } from './postgres/postgres-account-store';
import { PostgresClientKeyStore } from './postgres/postgres-client-key-store';
import { PostgresProviderOverridesStore } from './postgres/postgres-provider-overrides-store';
import { PostgresStoreProbe } from './postgres/postgres-store-probe';
import { PostgresUsageStore } from './postgres/postgres-usage-store';
import { ProviderOverridesStore } from './provider-overrides-store';
import { SqliteAccountStore } from './sqlite/sqlite-account-store';
import { SQLITE_CONNECTION, StoreModule } from './store.module';
import { StoreProbe } from './store-probe';
import { UsageStore } from './usage-store';
import { usageRecord } from './usage-store.contract';

/** Writes one usage record as it shuts down, as the usage writer's last flush does. */
@Injectable()
class LastFlush implements OnApplicationShutdown {
  constructor(private readonly usage: UsageStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.usage.insertBatch([usageRecord({ requestId: 'written-at-shutdown' })]);
  }
}

@Module({ providers: [LastFlush] })
class WriterModule {}

describe('StoreModule', () => {
  let home: string;
  let schema: string;

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'byokey-store-module-'));
    schema = randomSchema();
  });

  afterEach(async () => {
    await dropSchema(schema);
    rmSync(home, { recursive: true, force: true });
  });

  it('provides the PostgreSQL stores for store: postgres, no SQLite connection, and closes the pool after every other module', async () => {
    const app = await Test.createTestingModule({
      imports: [StoreModule.forRoot({ home, store: { kind: 'postgres', url: TEST_DATABASE_URL, schema } }), WriterModule],
    }).compile();
    await app.init();
    expect(app.get(AccountStore)).toBeInstanceOf(PostgresAccountStore);
    expect(app.get(ClientKeyStore)).toBeInstanceOf(PostgresClientKeyStore);
    expect(app.get(UsageStore)).toBeInstanceOf(PostgresUsageStore);
    expect(app.get(ProviderOverridesStore)).toBeInstanceOf(PostgresProviderOverridesStore);
    expect(app.get(StoreProbe)).toBeInstanceOf(PostgresStoreProbe);
    await expect(app.get(StoreProbe).ping()).resolves.toBeUndefined();
    expect(() => app.get(SQLITE_CONNECTION)).toThrow();

    const probe = app.get(StoreProbe);
    await app.close();
    expect(await rawQuery(schema, "SELECT request_id FROM usage_records WHERE request_id = 'written-at-shutdown'")).toHaveLength(1);
    // Closed: the pool takes no more queries.
    await expect(probe.ping()).rejects.toThrow();
  });

  it('provides the SQLite stores and their connection by default', async () => {
    const app = await Test.createTestingModule({ imports: [StoreModule.forRoot({ home }), WriterModule] }).compile();
    await app.init();
    expect(app.get(AccountStore)).toBeInstanceOf(SqliteAccountStore);
    expect(app.get(SQLITE_CONNECTION)).toBe((app.get(AccountStore) as SqliteAccountStore).connection);
    await expect(app.get(StoreProbe).ping()).resolves.toBeUndefined();
    const db = app.get(SQLITE_CONNECTION);
    await app.close();
    expect(db.open).toBe(false);
  });
});
