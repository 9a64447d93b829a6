// Opening byokey's PostgreSQL schema: gateways starting together on a fresh schema all succeed
// and the migrations run once (the advisory lock), a schema that is another program's or a newer
// byokey's is refused untouched, an unreachable server is a StoreError without the password,
// every connection lands in the schema, and int8 comes back as a number on this pool only.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { types } from 'pg';
import { dropSchema, randomSchema, rawQuery, TEST_DATABASE_URL } from '../../../test/support/postgres';
import { SECRET_KEY_ENV } from '../secret-key';
import { StoreError } from '../store-error';
import { PostgresDatabase, type PostgresDatabaseOptions } from './postgres-database';
import { latestPostgresVersion, POSTGRES_MIGRATIONS, type PostgresMigration } from './postgres-migrations';

const env = { [SECRET_KEY_ENV]: Buffer.alloc(32, 9).toString('base64') };

describe('PostgresDatabase.open', () => {
  let schema: string;
  let home: string;
  let opened: PostgresDatabase[];

  beforeEach(() => {
    schema = randomSchema();
    home = mkdtempSync(join(tmpdir(), 'byokey-pg-home-'));
    opened = [];
  });

  afterEach(async () => {
    for (const database of opened) await database.close();
    await dropSchema(schema);
    rmSync(home, { recursive: true, force: true });
  });

  async function open(options: Partial<PostgresDatabaseOptions> = {}): Promise<PostgresDatabase> {
    const database = await PostgresDatabase.open({ url: TEST_DATABASE_URL, schema, home, env, ...options });
    opened.push(database);
    return database;
  }

  async function refusal(options: Partial<PostgresDatabaseOptions> = {}): Promise<StoreError> {
    const error = await open(options).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(StoreError);
    return error as StoreError;
  }

  const tablesIn = async (name: string) =>
    (await rawQuery<{ table_name: string }>(name, 'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1', [name])).map(
      (row) => row.table_name,
    );

  it('creates the schema and its tables, and records every migration', async () => {
    await open();
    expect(await tablesIn(schema)).toEqual([
      'accounts',
      'client_keys',
      'meta',
      'provider_overrides',
      'provider_runtime_keys',
      'quota_snapshots',
      'schema_migrations',
      'usage_records',
    ]);
    const recorded = await rawQuery<{ version: number; name: string }>(schema, 'SELECT version, name FROM schema_migrations ORDER BY version');
    expect(recorded).toEqual(POSTGRES_MIGRATIONS.map(({ version, name }) => ({ version, name })));
    expect(await rawQuery(schema, "SELECT key FROM meta WHERE key = 'key_check'")).toHaveLength(1);
  });

  it('lets gateways that start together on a fresh schema all open it, running each migration once', async () => {
    // One more migration that counts its runs and is slow, so that unserialised runs would overlap.
    const counted: PostgresMigration[] = [
      ...POSTGRES_MIGRATIONS,
      {
        version: latestPostgresVersion() + 1,
        name: 'count runs',
        sql: 'CREATE TABLE IF NOT EXISTS migration_runs (at timestamptz DEFAULT now()); INSERT INTO migration_runs DEFAULT VALUES; SELECT pg_sleep(0.2)',
      },
    ];
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => open({ migrations: counted })));
    expect(results.map((result) => result.status)).toEqual(Array(6).fill('fulfilled'));
    expect(await rawQuery(schema, 'SELECT * FROM migration_runs')).toHaveLength(1);
    expect(await rawQuery(schema, 'SELECT version FROM schema_migrations')).toHaveLength(counted.length);
    expect(await rawQuery(schema, "SELECT key FROM meta WHERE key = 'key_check'")).toHaveLength(1);
    // And every one of them works.
    for (const database of opened) expect((await database.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('runs nothing again on a later start', async () => {
    await (await open()).close();
    const before = await rawQuery(schema, 'SELECT version, applied_at FROM schema_migrations ORDER BY version');
    await open({ now: () => Date.now() + 60_000 });
    expect(await rawQuery(schema, 'SELECT version, applied_at FROM schema_migrations ORDER BY version')).toEqual(before);
  });

  it('refuses a schema a newer byokey migrated, changing nothing', async () => {
    await (await open()).close();
    await rawQuery(schema, "INSERT INTO schema_migrations VALUES (999, 'from the future', 0)");
    const error = await refusal();
    expect(error.message).toMatch(
      new RegExp(`^The PostgreSQL store postgres://postgres@127\\.0\\.0\\.1:5432/test \\(schema ${schema}\\) was written by a newer byokey \\(schema version 999; this build knows up to ${latestPostgresVersion()}\\)\\. Upgrade byokey to use it\\. Nothing was changed\\.$`),
    );
    expect(await rawQuery(schema, 'SELECT max(version) AS v FROM schema_migrations')).toEqual([{ v: 999 }]);
  });

  it("refuses another program's schema, creating nothing in it", async () => {
    await rawQuery('public', `CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.notes (body text)`);
    expect((await refusal()).message).toMatch(/holds tables but is not byokey's \(it has no schema_migrations table\)/);
    expect(await tablesIn(schema)).toEqual(['notes']);
  });

  it('refuses a key other than the one the schema was set up with, before migrating anything', async () => {
    await (await open()).close();
    await rawQuery(schema, 'DELETE FROM schema_migrations WHERE version = $1', [latestPostgresVersion()]);
    const error = await refusal({ env: { [SECRET_KEY_ENV]: Buffer.alloc(32, 1).toString('base64') } });
    expect(error.message).toMatch(/^The secret key \(from BYOKEY_SECRET_KEY\) does not match the PostgreSQL store .*Nothing was changed\.$/);
    expect(await rawQuery(schema, 'SELECT version FROM schema_migrations WHERE version = $1', [latestPostgresVersion()])).toEqual([]);
  });

  it('creates the key file in BYOKEY_HOME for a fresh schema when no key is in the environment, and uses it after', async () => {
    const first = await open({ env: {} });
    expect(first.keySource).toBe(join(home, 'secret.key'));
    await first.close();
    const again = await open({ env: {} });
    expect(again.keySource).toBe(join(home, 'secret.key'));
  });

  it('says which server it cannot reach, without the password', async () => {
    const error = await refusal({ url: 'postgres://someone:hunter2-secret@127.0.0.1:1/test', pool: { connectionTimeoutMs: 2000 } });
    expect(error.message).toMatch(/^Cannot open the PostgreSQL store postgres:\/\/someone@127\.0\.0\.1:1\/test \(schema .*\) \(.*ECONNREFUSED/);
    expect(error.message).not.toContain('hunter2');
  });

  it('says so when the database does not exist', async () => {
    const error = await refusal({ url: 'postgres://postgres@127.0.0.1:5432/no_such_database_here' });
    expect(error.message).toMatch(/database "no_such_database_here" does not exist/);
  });

  it('puts every connection in the schema, and parses int8 as a number on its own pool only', async () => {
    const database = await open({ pool: { max: 3 } });
    const paths = await Promise.all(
      Array.from({ length: 6 }, () => database.query<{ schema: string; big: unknown }>("SELECT current_schema() AS schema, 9007199254740991::int8 AS big")),
    );
    for (const { rows } of paths) expect(rows).toEqual([{ schema, big: 9007199254740991 }]);
    // pg's process-wide parser is untouched: other code using pg still gets strings for int8.
    expect(types.getTypeParser(types.builtins.INT8)('42')).toBe('42');
  });

  it('keeps options the URL already has, adding the search_path to them', async () => {
    const database = await open({ url: `${TEST_DATABASE_URL}?options=${encodeURIComponent('-c statement_timeout=4321')}` });
    const { rows } = await database.query<{ timeout: string; schema: string }>("SELECT current_setting('statement_timeout') AS timeout, current_schema() AS schema");
    expect(rows).toEqual([{ timeout: '4321ms', schema }]);
  });
});
