// The PostgreSQL ProviderOverridesStore on the local server, each test in a schema of its own:
// the shared contract (a reopen is a new pool, as after a restart), a change made by one gateway
// seen by another, and the upstream keys sealed at rest.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropSchema, randomSchema, rawQuery, TEST_DATABASE_URL } from '../../../test/support/postgres';
import { describeProviderOverridesStoreContract } from '../provider-overrides-store.contract';
import { SECRET_KEY_ENV } from '../secret-key';
import { PostgresDatabase } from './postgres-database';
import { PostgresProviderOverridesStore } from './postgres-provider-overrides-store';

const env = { [SECRET_KEY_ENV]: Buffer.alloc(32, 7).toString('base64') };

function sandbox() {
  const schema = randomSchema();
  const home = mkdtempSync(join(tmpdir(), 'byokey-pg-home-'));
  const opened: PostgresDatabase[] = [];
  return {
    schema,
    async open(): Promise<PostgresProviderOverridesStore> {
      const database = await PostgresDatabase.open({ url: TEST_DATABASE_URL, schema, home, env });
      opened.push(database);
      return new PostgresProviderOverridesStore(database);
    },
    async close(): Promise<void> {
      for (const database of opened) await database.close();
      await dropSchema(schema);
      rmSync(home, { recursive: true, force: true });
    },
  };
}

describeProviderOverridesStoreContract('PostgresProviderOverridesStore', async () => {
  const box = sandbox();
  return { store: await box.open(), reopen: () => box.open(), close: () => box.close() };
});

describe('PostgresProviderOverridesStore across gateways', () => {
  let box: ReturnType<typeof sandbox>;

  beforeEach(() => {
    box = sandbox();
  });
  afterEach(async () => {
    await box.close();
  });

  it('shows a key added on one gateway to another, and keeps it sealed in the table', async () => {
    const a = await box.open();
    const b = await box.open();
    await a.addKey('openai', { label: 'plain-label', key: 'sk-MUST-NOT-BE-IN-THE-TABLE-4242' });
    await a.setEnabled('claude', false);
    expect(await b.list()).toEqual([
      { instance: 'claude', enabled: false, keys: [] },
      { instance: 'openai', keys: [expect.objectContaining({ label: 'plain-label', key: 'sk-MUST-NOT-BE-IN-THE-TABLE-4242' })] },
    ]);
    const rows = await rawQuery<{ label: string; key: Buffer }>(box.schema, 'SELECT label, key FROM provider_runtime_keys');
    expect(rows.map((row) => row.label)).toEqual(['plain-label']);
    expect(rows[0].key.toString('latin1')).not.toContain('sk-MUST-NOT-BE-IN-THE-TABLE');
  });
});
