// The PostgreSQL schema as an ordered list of migrations, and the runner that brings a schema up
// to date — the same shape as sqlite/migrations.ts. Each applied migration is recorded in
// schema_migrations; a schema that a newer byokey has migrated further than this build knows is
// refused rather than touched. Several gateways start at once against one database, so the
// runner is called under an advisory lock (postgres-database.ts), and each migration re-checks
// its record inside its own transaction all the same.
//
// Times are BIGINT ms since epoch, as in SQLite. Text that is sorted on (provider, account,
// instance) is COLLATE "C", so lists come out in the same (byte) order as from SQLite.
import type { PoolClient } from 'pg';
import { StoreError } from '../store-error';

export interface PostgresMigration {
  /** Strictly increasing, never reused: it is what schema_migrations records. */
  readonly version: number;
  readonly name: string;
  /** The statements, run in one transaction with the migration's record. */
  readonly sql: string;
}

export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'meta and accounts',
    sql: `
      CREATE TABLE meta (
        key   text PRIMARY KEY,
        value text NOT NULL
      );

      CREATE TABLE accounts (
        provider                   text COLLATE "C" NOT NULL,
        account_id                 text COLLATE "C" NOT NULL,
        label                      text,
        is_default                 boolean NOT NULL DEFAULT false,
        status                     text    NOT NULL DEFAULT 'active'
                                           CHECK (status IN ('active', 'needs_relogin', 'disabled')),
        status_reason              text,
        tokens                     bytea   NOT NULL,
        expires_at                 bigint,
        claims                     jsonb   NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(claims) = 'object'),
        created_at                 bigint  NOT NULL,
        refreshed_at               bigint,
        updated_at                 bigint  NOT NULL,
        version                    bigint  NOT NULL DEFAULT 1,
        refresh_lease_holder       text,
        refresh_lease_until        bigint,
        refresh_lease_heartbeat_at bigint,
        PRIMARY KEY (provider, account_id)
      );

      -- At most one default per provider, enforced by the database so that no interleaving of
      -- two gateways can leave two.
      CREATE UNIQUE INDEX accounts_one_default_per_provider ON accounts (provider) WHERE is_default;
    `,
  },
  {
    version: 2,
    name: 'client keys',
    // Only the secret's SHA-256 is kept. A name is unique among keys not revoked. The revision in
    // meta moves on every change to a key (not on use); every gateway polls it.
    sql: `
      CREATE TABLE client_keys (
        id            text    PRIMARY KEY,
        name          text    NOT NULL,
        prefix        text    NOT NULL,
        secret_hash   text    NOT NULL UNIQUE,
        models        jsonb   NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(models) = 'array'),
        rpm           bigint  CHECK (rpm > 0),
        tpm           bigint  CHECK (tpm > 0),
        concurrency   bigint  CHECK (concurrency > 0),
        budget_tokens bigint  CHECK (budget_tokens > 0),
        budget_period text    CHECK (budget_period IN ('day', 'month')),
        expires_at    bigint,
        created_at    bigint  NOT NULL,
        revoked_at    bigint,
        last_used_at  bigint,
        seq           bigint  GENERATED ALWAYS AS IDENTITY,
        CHECK ((budget_tokens IS NULL) = (budget_period IS NULL))
      );

      CREATE UNIQUE INDEX client_keys_active_name ON client_keys (name) WHERE revoked_at IS NULL;

      INSERT INTO meta (key, value) VALUES ('client_keys_revision', '0');
    `,
  },
  {
    version: 3,
    name: 'usage records',
    // One row per model request (store/usage-record.ts). `id` orders rows as they were stored
    // and pages the recent ones; `at` (arrival) bounds aggregates and retention.
    sql: `
      CREATE TABLE usage_records (
        id               bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at               bigint  NOT NULL,
        request_id       text    NOT NULL,
        key_id           text,
        key_name         text,
        route            text    NOT NULL,
        model_requested  text,
        model_served     text,
        instance         text,
        credential       text,
        status           integer NOT NULL,
        error_type       text,
        input_tokens     bigint  NOT NULL DEFAULT 0,
        output_tokens    bigint  NOT NULL DEFAULT 0,
        cached_tokens    bigint  NOT NULL DEFAULT 0,
        reasoning_tokens bigint  NOT NULL DEFAULT 0,
        ttfb_ms          bigint,
        duration_ms      bigint  NOT NULL,
        stream           boolean NOT NULL,
        attempts         integer NOT NULL
      );

      CREATE INDEX usage_records_at ON usage_records (at);
      CREATE INDEX usage_records_key_at ON usage_records (key_id, at);
    `,
  },
  {
    version: 4,
    name: 'runtime provider overrides',
    // Admin API changes laid over providers.yaml. `enabled` NULL means the file decides. Keys are
    // sealed with the secret key, like account tokens; `seq` keeps the order they were added in.
    sql: `
      CREATE TABLE provider_overrides (
        instance   text COLLATE "C" PRIMARY KEY,
        enabled    boolean,
        updated_at bigint NOT NULL
      );

      CREATE TABLE provider_runtime_keys (
        instance   text COLLATE "C" NOT NULL,
        label      text   NOT NULL,
        key        bytea  NOT NULL,
        base_url   text,
        created_at bigint NOT NULL,
        seq        bigint GENERATED ALWAYS AS IDENTITY,
        PRIMARY KEY (instance, label)
      );
    `,
  },
  {
    version: 5,
    name: 'quota snapshots',
    // The rate-limit windows each account last reported, for a restarted gateway and for
    // `byokey status` without Redis. One row per account, the newest capture kept.
    sql: `
      CREATE TABLE quota_snapshots (
        provider    text COLLATE "C" NOT NULL,
        account_id  text COLLATE "C" NOT NULL,
        headers     jsonb  NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(headers) = 'object'),
        frame       jsonb           CHECK (frame IS NULL OR jsonb_typeof(frame) = 'object'),
        captured_at bigint NOT NULL,
        PRIMARY KEY (provider, account_id)
      );
    `,
  },
];

const CREATE_MIGRATIONS_TABLE = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    name       text    NOT NULL,
    applied_at bigint  NOT NULL
  )`;

export function latestPostgresVersion(migrations: readonly PostgresMigration[] = POSTGRES_MIGRATIONS): number {
  return migrations.length === 0 ? 0 : migrations[migrations.length - 1].version;
}

/** What the schema holds before anything is written: whether it exists, is byokey's, how far migrated. */
export interface SchemaState {
  /** Tables in the schema (none when it does not exist yet). */
  tables: Set<string>;
  /** Highest recorded migration; 0 when never migrated. */
  appliedVersion: number;
}

/** Read-only. `client` has the schema first on its search_path. */
export async function readSchemaState(client: PoolClient, schema: string): Promise<SchemaState> {
  const { rows } = await client.query<{ table_name: string }>(
    'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
    [schema],
  );
  const tables = new Set(rows.map((row) => row.table_name));
  if (!tables.has('schema_migrations')) return { tables, appliedVersion: 0 };
  const applied = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations');
  return { tables, appliedVersion: applied.rows[0]?.version ?? 0 };
}

/** Refuses a schema that is not byokey's, or that a newer byokey migrated, before anything writes to it. */
export function assertSchemaUsable(
  state: SchemaState,
  where: string,
  migrations: readonly PostgresMigration[] = POSTGRES_MIGRATIONS,
): void {
  if (state.tables.size > 0 && !state.tables.has('schema_migrations')) {
    throw new StoreError(
      `${where} holds tables but is not byokey's (it has no schema_migrations table). Choose another schema ` +
        `(store.schema in providers.yaml). Nothing was changed.`,
    );
  }
  const latest = latestPostgresVersion(migrations);
  if (state.appliedVersion > latest) {
    throw new StoreError(
      `${where} was written by a newer byokey (schema version ${state.appliedVersion}; this build knows up to ` +
        `${latest}). Upgrade byokey to use it. Nothing was changed.`,
    );
  }
}

/**
 * Applies the migrations the schema lacks, in order, each in its own transaction with its
 * record, so a failure leaves the schema at the previous version. Returns the versions applied.
 * The caller holds the migration lock; the schema exists.
 */
export async function migratePostgres(
  client: PoolClient,
  migrations: readonly PostgresMigration[] = POSTGRES_MIGRATIONS,
  now: () => number = Date.now,
): Promise<number[]> {
  assertOrdered(migrations);
  await client.query(CREATE_MIGRATIONS_TABLE);
  const applied: number[] = [];
  for (const migration of migrations) {
    await client.query('BEGIN');
    try {
      const done = await client.query('SELECT 1 FROM schema_migrations WHERE version = $1', [migration.version]);
      if (done.rowCount === 0) {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          migration.version,
          migration.name,
          Math.floor(now()),
        ]);
        applied.push(migration.version);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }
  return applied;
}

/** A programming error, not a user's: caught by the first test that opens a store. */
function assertOrdered(migrations: readonly PostgresMigration[]): void {
  migrations.forEach((migration, index) => {
    if (!Number.isInteger(migration.version) || migration.version < 1) {
      throw new Error(`migration "${migration.name}" has an invalid version ${migration.version}`);
    }
    if (index > 0 && migration.version <= migrations[index - 1].version) {
      throw new Error(`migration ${migration.version} "${migration.name}" is out of order`);
    }
  });
}
