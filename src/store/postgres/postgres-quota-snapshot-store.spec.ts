// The PostgreSQL QuotaSnapshotStore, and the channel on it, on the local server, each test in a
// schema of its own (dropped after); a reopen is a new pool, as after a restart.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropSchema, randomSchema, TEST_DATABASE_URL } from '../../../test/support/postgres';
import { describeQuotaSnapshotStoreContract } from '../quota-snapshot-store.contract';
import { SECRET_KEY_ENV } from '../secret-key';
import { PostgresAccountStore } from './postgres-account-store';
import { PostgresDatabase } from './postgres-database';
import { PostgresQuotaSnapshotStore } from './postgres-quota-snapshot-store';

const env = { [SECRET_KEY_ENV]: Buffer.alloc(32, 7).toString('base64') };

describeQuotaSnapshotStoreContract('PostgresQuotaSnapshotStore', async () => {
  const schema = randomSchema();
  const home = mkdtempSync(join(tmpdir(), 'byokey-pg-home-'));
  const opened: PostgresDatabase[] = [];
  const openOne = async () => {
    const database = await PostgresDatabase.open({ url: TEST_DATABASE_URL, schema, home, env });
    opened.push(database);
    return { accounts: new PostgresAccountStore(database), store: new PostgresQuotaSnapshotStore(database) };
  };
  const first = await openOne();
  return {
    ...first,
    async reopen() {
      for (const database of opened) await database.close();
      return openOne();
    },
    async close() {
      for (const database of opened) await database.close();
      await dropSchema(schema);
      rmSync(home, { recursive: true, force: true });
    },
  };
});
