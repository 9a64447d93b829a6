// The migration runner (once, in order, atomically, refusing the future) and the constraints the
// schema itself enforces.
import Database from 'better-sqlite3';
import { StoreError } from '../store-error';
import { appliedVersion, latestVersion, migrate, type Migration, MIGRATIONS } from './migrations';

const PATH = '/data/byokey.db';

function tables(db: Database.Database): string[] {
  return db
    .prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .pluck()
    .all();
}

function createTable(version: number, table: string): Migration {
  return { version, name: `create ${table}`, up: (db) => db.exec(`CREATE TABLE ${table} (x INTEGER)`) };
}

describe('migrate', () => {
  let db: Database.Database;

  beforeEach(() => {
    db = new Database(':memory:');
  });

  afterEach(() => {
    db.close();
  });

  it('brings a new database to the latest version and records each migration', () => {
    const before = Date.now();
    expect(migrate(db, PATH)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(tables(db)).toEqual(['accounts', 'client_keys', 'meta', 'provider_overrides', 'provider_runtime_keys', 'quota_snapshots', 'schema_migrations', 'usage_records']);
    const rows = db.prepare<[], { version: number; name: string; applied_at: number }>('SELECT * FROM schema_migrations').all();
    expect(rows.map((r) => [r.version, r.name])).toEqual(MIGRATIONS.map((m) => [m.version, m.name]));
    expect(rows[0].applied_at).toBeGreaterThanOrEqual(before);
    expect(appliedVersion(db)).toBe(latestVersion());
  });

  it('applies nothing the second time', () => {
    migrate(db, PATH);
    expect(migrate(db, PATH)).toEqual([]);
    expect(db.prepare('SELECT count(*) AS n FROM schema_migrations').get()).toEqual({ n: MIGRATIONS.length });
  });

  it('applies only the migrations added since, in order', () => {
    const order: number[] = [];
    const tracked = (m: Migration): Migration => ({ ...m, up: (d) => (order.push(m.version), m.up(d)) });
    migrate(db, PATH, [tracked(createTable(1, 'a'))]);
    expect(migrate(db, PATH, [createTable(1, 'a'), tracked(createTable(2, 'b')), tracked(createTable(5, 'c'))])).toEqual([2, 5]);
    expect(order).toEqual([1, 2, 5]);
    expect(appliedVersion(db)).toBe(5);
  });

  it('rolls back a failing migration with its record, keeping the ones before it', () => {
    const failing: Migration = {
      version: 2,
      name: 'half done',
      up: (d) => {
        d.exec('CREATE TABLE half (x INTEGER)');
        throw new Error('boom');
      },
    };
    expect(() => migrate(db, PATH, [createTable(1, 'a'), failing])).toThrow('boom');
    expect(tables(db)).toEqual(['a', 'schema_migrations']);
    expect(appliedVersion(db)).toBe(1);
  });

  it('refuses a database written by a newer byokey, before changing anything', () => {
    migrate(db, PATH, [createTable(1, 'a')]);
    db.prepare("INSERT INTO schema_migrations VALUES (7, 'from the future', 0)").run();
    const run = () => migrate(db, PATH, [createTable(1, 'a'), createTable(2, 'b')]);
    expect(run).toThrow(StoreError);
    expect(run).toThrow(
      'The database /data/byokey.db was written by a newer byokey (schema version 7; this build knows up to 2). ' +
        'Upgrade byokey to use it. Nothing was changed.',
    );
    expect(tables(db)).toEqual(['a', 'schema_migrations']);
  });

  it('rejects a list out of order (a programming error)', () => {
    expect(() => migrate(db, PATH, [createTable(2, 'a'), createTable(1, 'b')])).toThrow(/out of order/);
    expect(() => migrate(db, PATH, [createTable(0, 'a')])).toThrow(/invalid version/);
    expect(tables(db)).toEqual([]);
  });
});

describe('schema', () => {
  let db: Database.Database;
  const insert = (provider: string, accountId: string, isDefault: number, status = 'active', claims = '{}') =>
    db
      .prepare(
        `INSERT INTO accounts (provider, account_id, is_default, status, tokens, claims, created_at, updated_at)
         VALUES (?, ?, ?, ?, x'00', ?, 1, 1)`,
      )
      .run(provider, accountId, isDefault, status, claims);

  beforeEach(() => {
    db = new Database(':memory:');
    migrate(db, PATH);
  });

  afterEach(() => {
    db.close();
  });

  it('allows one default per provider', () => {
    insert('codex', 'a', 1);
    insert('claude', 'a', 1);
    insert('codex', 'b', 0);
    expect(() => insert('codex', 'c', 1)).toThrow(/UNIQUE constraint failed/);
  });

  it('keys accounts by provider and account id', () => {
    insert('codex', 'a', 1);
    expect(() => insert('codex', 'a', 0)).toThrow(/UNIQUE constraint failed: accounts.provider, accounts.account_id/);
  });

  it('accepts only the known statuses and JSON claims', () => {
    insert('codex', 'a', 0, 'needs_relogin');
    insert('codex', 'b', 0, 'disabled');
    expect(() => insert('codex', 'c', 0, 'expired')).toThrow(/CHECK constraint failed/);
    expect(() => insert('codex', 'd', 0, 'active', '{not json')).toThrow(/CHECK constraint failed/);
  });
});
