// Secret key rotation on the shared PostgreSQL database, each test in a schema of its own (dropped
// after): the shared contract (secret-rotation.contract.ts), with every instance on a pool of its
// own, as the gateways of a fleet are.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropSchema, randomSchema, rawQuery, TEST_DATABASE_URL } from '../../../test/support/postgres';
import { openStores, type Stores } from '../open-stores';
import { describeSecretRotationContract } from '../secret-rotation.contract';

describeSecretRotationContract('PostgreSQL', async () => {
  const home = mkdtempSync(join(tmpdir(), 'byokey-pg-rekey-'));
  const schema = randomSchema();
  const opened: Stores[] = [];
  return {
    async open(env, onUnreadable) {
      const stores = await openStores({ home, store: { kind: 'postgres', url: TEST_DATABASE_URL, schema }, env, onUnreadable });
      opened.push(stores);
      return stores;
    },
    async dump() {
      const tables = ['accounts ORDER BY provider, account_id', 'provider_runtime_keys ORDER BY instance, label', 'meta ORDER BY key'];
      const rows = [];
      for (const table of tables) {
        rows.push(await rawQuery<{ row: string }>(schema, `SELECT row_to_json(t)::text AS row FROM (SELECT * FROM ${table}) t`));
      }
      return JSON.stringify(rows);
    },
    async close() {
      for (const stores of opened) await stores.close();
      await dropSchema(schema);
      rmSync(home, { recursive: true, force: true });
    },
  };
});
