// The PostgreSQL client key store on the local server, each test in a schema of its own: the
// ClientKeyStore contract ("another opener" is another pool, as another gateway), then two
// gateways creating one name at once, and what is at rest (the hash, never the secret).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropSchema, randomSchema, rawQuery, TEST_DATABASE_URL } from '../../../test/support/postgres';
import { mintSecret } from '../client-key-secret';
import { ClientKeyNameTaken } from '../client-key-store';
import { describeClientKeyStoreContract } from '../client-key-store.contract';
import { SECRET_KEY_ENV } from '../secret-key';
import { PostgresClientKeyStore } from './postgres-client-key-store';
import { PostgresDatabase } from './postgres-database';

const env = { [SECRET_KEY_ENV]: Buffer.alloc(32, 5).toString('base64') };

/** A schema of its own and a way to open gateways' databases on it; `close` drops it. */
function sandbox() {
  const schema = randomSchema();
  const home = mkdtempSync(join(tmpdir(), 'byokey-pg-home-'));
  const opened: PostgresDatabase[] = [];
  return {
    schema,
    async open(): Promise<PostgresDatabase> {
      const database = await PostgresDatabase.open({ url: TEST_DATABASE_URL, schema, home, env });
      opened.push(database);
      return database;
    },
    async close(): Promise<void> {
      for (const database of opened) await database.close();
      await dropSchema(schema);
      rmSync(home, { recursive: true, force: true });
    },
  };
}

describeClientKeyStoreContract('PostgresClientKeyStore', async () => {
  const box = sandbox();
  let now = 0;
  return {
    store: new PostgresClientKeyStore(await box.open(), () => now),
    setNow: (ms) => (now = ms),
    reopen: async () => new PostgresClientKeyStore(await box.open(), () => now),
    close: () => box.close(),
  };
});

describe('PostgresClientKeyStore across gateways', () => {
  let box: ReturnType<typeof sandbox>;

  beforeEach(() => {
    box = sandbox();
  });
  afterEach(async () => {
    await box.close();
  });

  it('lets one of two gateways creating the same name at once win; the other is told the name is taken', async () => {
    const a = new PostgresClientKeyStore(await box.open());
    const b = new PostgresClientKeyStore(await box.open());
    const key = () => {
      const minted = mintSecret();
      return { name: 'team-a', prefix: minted.prefix, secretHash: minted.secretHash };
    };
    const outcomes = await Promise.allSettled([a.create(key()), b.create(key()), a.create(key()), b.create(key())]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const outcome of outcomes.filter((o) => o.status === 'rejected')) {
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(ClientKeyNameTaken);
    }
    expect((await b.list()).map((k) => k.name)).toEqual(['team-a']);
    // The revision moved once: the refused creates left it alone.
    expect(await a.revision()).toBe(1);
  });

  it('keeps the hash and prefix, never the secret', async () => {
    const store = new PostgresClientKeyStore(await box.open());
    const minted = mintSecret();
    await store.create({ name: 'team-a', prefix: minted.prefix, secretHash: minted.secretHash });
    const [row] = await rawQuery<{ dump: string }>(box.schema, 'SELECT row_to_json(client_keys)::text AS dump FROM client_keys');
    expect(row.dump).toContain(minted.secretHash);
    expect(row.dump).not.toContain(minted.secret.slice(12));
  });
});
