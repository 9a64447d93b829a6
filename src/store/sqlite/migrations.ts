// The SQLite schema as an ordered list of migrations, and the runner that brings a database up
// to date. Each applied migration is recorded in schema_migrations; a database that a newer
// byokey has migrated further than this build knows is refused rather than touched.
import type Database from 'better-sqlite3';
import { StoreError } from '../store-error';

export interface Migration {
  /** Strictly increasing, never reused: it is what schema_migrations records. */
  readonly version: number;
  readonly name: string;
  up(db: Database.Database): void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'meta and accounts',
    up(db) {
      db.exec(`
        CREATE TABLE meta (
          key   TEXT PRIMARY KEY,
          value TEXT NOT NULL
        ) STRICT;

        CREATE TABLE accounts (
          provider             TEXT    NOT NULL,
          account_id           TEXT    NOT NULL,
          label                TEXT,
          is_default           INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
          status               TEXT    NOT NULL DEFAULT 'active'
                                       CHECK (status IN ('active', 'needs_relogin', 'disabled')),
          status_reason        TEXT,
          tokens               BLOB    NOT NULL,
          expires_at           INTEGER,
          claims               TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(claims)),
          created_at           INTEGER NOT NULL,
          refreshed_at         INTEGER,
          updated_at           INTEGER NOT NULL,
          version              INTEGER NOT NULL DEFAULT 1,
          refresh_lease_holder TEXT,
          refresh_lease_until  INTEGER,
          PRIMARY KEY (provider, account_id)
        ) STRICT;

        -- At most one default per provider, enforced by the database so that no interleaving of
        -- two processes can leave two.
        CREATE UNIQUE INDEX accounts_one_default_per_provider ON accounts (provider) WHERE is_default = 1;
      `);
    },
  },
  {
    version: 2,
    name: 'refresh lease heartbeat',
    up(db) {
      // The lease's holder renews it every few seconds while it refreshes, so a lease whose
      // heartbeat stopped runs out within seconds. Leases taken before this stay valid until
      // their old expiry; they simply have no heartbeat recorded.
      db.exec('ALTER TABLE accounts ADD COLUMN refresh_lease_heartbeat_at INTEGER');
    },
  },
  {
    version: 3,
    name: 'client keys',
    up(db) {
      // Only the secret's SHA-256 is kept. A name is unique among keys not revoked, so a revoked
      // key's name can be given to its replacement. The revision in meta moves on every change
      // to a key (not on use), so every process sharing the file learns when to reload.
      db.exec(`
        CREATE TABLE client_keys (
          id            TEXT    PRIMARY KEY,
          name          TEXT    NOT NULL,
          prefix        TEXT    NOT NULL,
          secret_hash   TEXT    NOT NULL UNIQUE,
          models        TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(models)),
          rpm           INTEGER CHECK (rpm > 0),
          tpm           INTEGER CHECK (tpm > 0),
          concurrency   INTEGER CHECK (concurrency > 0),
          budget_tokens INTEGER CHECK (budget_tokens > 0),
          budget_period TEXT    CHECK (budget_period IN ('day', 'month')),
          expires_at    INTEGER,
          created_at    INTEGER NOT NULL,
          revoked_at    INTEGER,
          last_used_at  INTEGER,
          CHECK ((budget_tokens IS NULL) = (budget_period IS NULL))
        ) STRICT;

        CREATE UNIQUE INDEX client_keys_active_name ON client_keys (name) WHERE revoked_at IS NULL;

        INSERT INTO meta (key, value) VALUES ('client_keys_revision', '0');
      `);
    },
  },
  {
    version: 4,
    name: 'usage records',
    up(db) {
      // One row per model request (store/usage-record.ts). `id` orders rows as they were stored
      // and pages the recent ones; `at` (arrival) bounds aggregates and retention. IF NOT EXISTS:
      // versions are recorded per migration, and a database whose record of this one was lost
      // must not fail here.
      db.exec(`
        CREATE TABLE IF NOT EXISTS usage_records (
          id               INTEGER PRIMARY KEY,
          at               INTEGER NOT NULL,
          request_id       TEXT    NOT NULL,
          key_id           TEXT,
          key_name         TEXT,
          route            TEXT    NOT NULL,
          model_requested  TEXT,
          model_served     TEXT,
          instance         TEXT,
          credential       TEXT,
          status           INTEGER NOT NULL,
          error_type       TEXT,
          input_tokens     INTEGER NOT NULL DEFAULT 0,
          output_tokens    INTEGER NOT NULL DEFAULT 0,
          cached_tokens    INTEGER NOT NULL DEFAULT 0,
          reasoning_tokens INTEGER NOT NULL DEFAULT 0,
          ttfb_ms          INTEGER,
          duration_ms      INTEGER NOT NULL,
          stream           INTEGER NOT NULL CHECK (stream IN (0, 1)),
          attempts         INTEGER NOT NULL
        ) STRICT;

        CREATE INDEX IF NOT EXISTS usage_records_at ON usage_records (at);
        CREATE INDEX IF NOT EXISTS usage_records_key_at ON usage_records (key_id, at);
      `);
    },
  },
  {
    version: 5,
    name: 'runtime provider overrides',
    up(db) {
      // Admin API changes laid over providers.yaml (store/provider-overrides-store.ts). `enabled`
      // NULL means the file decides. Keys are sealed with the secret key, like account tokens.
      db.exec(`
        CREATE TABLE provider_overrides (
          instance   TEXT    PRIMARY KEY,
          enabled    INTEGER CHECK (enabled IN (0, 1)),
          updated_at INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE provider_runtime_keys (
          instance   TEXT    NOT NULL,
          label      TEXT    NOT NULL,
          key        BLOB    NOT NULL,
          base_url   TEXT,
          created_at INTEGER NOT NULL,
          seq        INTEGER NOT NULL,
          PRIMARY KEY (instance, label)
        ) STRICT;
      `);
    },
  },
  {
    version: 6,
    name: 'quota snapshots',
    // The rate-limit windows each account last reported (store/rate-limit-snapshots.ts), so a
    // restarted gateway and `byokey status` know them without Redis. One row per account, the
    // newest capture kept; headers and the last frame as JSON, as the upstream sent them.
    up(db) {
      db.exec(`
        CREATE TABLE quota_snapshots (
          provider    TEXT    NOT NULL,
          account_id  TEXT    NOT NULL,
          headers     TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(headers)),
          frame       TEXT             CHECK (frame IS NULL OR json_valid(frame)),
          captured_at INTEGER NOT NULL,
          PRIMARY KEY (provider, account_id)
        ) STRICT;
      `);
    },
  },
];

const CREATE_MIGRATIONS_TABLE = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    applied_at INTEGER NOT NULL
  ) STRICT`;

export function latestVersion(migrations: readonly Migration[] = MIGRATIONS): number {
  return migrations.length === 0 ? 0 : migrations[migrations.length - 1].version;
}

/** The highest version recorded in the database; 0 for a database never migrated. Read-only. */
export function appliedVersion(db: Database.Database): number {
  const table = db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  if (!table) return 0;
  const row = db.prepare<[], { version: number | null }>('SELECT max(version) AS version FROM schema_migrations').get();
  return row?.version ?? 0;
}

/** Read-only: refuses a database a newer byokey has migrated, before anything writes to it. */
export function assertSchemaKnown(db: Database.Database, path: string, migrations: readonly Migration[] = MIGRATIONS): void {
  const applied = appliedVersion(db);
  const latest = latestVersion(migrations);
  if (applied > latest) {
    throw new StoreError(
      `The database ${path} was written by a newer byokey (schema version ${applied}; this build knows up to ` +
        `${latest}). Upgrade byokey to use it. Nothing was changed.`,
    );
  }
}

/**
 * Applies the migrations the database lacks, in order, each in its own transaction with its
 * record, so a failure leaves the database at the previous version. Returns the versions applied.
 * Safe for two processes opening the same new database at once: each migration takes the write
 * lock first (BEGIN IMMEDIATE) and re-checks whether the other process applied it meanwhile.
 */
export function migrate(db: Database.Database, path: string, migrations: readonly Migration[] = MIGRATIONS): number[] {
  assertOrdered(migrations);
  assertSchemaKnown(db, path, migrations);
  db.exec(CREATE_MIGRATIONS_TABLE);
  const isApplied = db.prepare<[number], { version: number }>('SELECT version FROM schema_migrations WHERE version = ?');
  const record = db.prepare<[number, string, number]>(
    'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
  );
  const applied: number[] = [];
  for (const migration of migrations) {
    const apply = db.transaction(() => {
      if (isApplied.get(migration.version)) return false;
      migration.up(db);
      record.run(migration.version, migration.name, Date.now());
      return true;
    });
    if (apply.immediate()) applied.push(migration.version);
  }
  return applied;
}

/** A programming error, not a user's: caught by the first test that opens a store. */
function assertOrdered(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (!Number.isInteger(migration.version) || migration.version < 1) {
      throw new Error(`migration "${migration.name}" has an invalid version ${migration.version}`);
    }
    if (index > 0 && migration.version <= migrations[index - 1].version) {
      throw new Error(`migration ${migration.version} "${migration.name}" is out of order`);
    }
  });
}
