// Opening byokey's schema in a shared PostgreSQL database, once per process: the pool, then —
// under an advisory lock, so gateways starting together take turns — the checks that refuse a
// schema that is not byokey's or is newer than this build, the secret key and its key check, and
// the migrations. The stores (accounts, client keys, usage, provider changes) all run on the one
// PostgresDatabase this returns; closing it ends the pool.
import { createHash } from 'node:crypto';
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { keySourcesOf, keysDoNotMatch, loadSecretKeys, ROTATION_HINT, SECRET_KEY_ENV, type KeySources } from '../secret-key';
import { StoreError } from '../store-error';
import { TokenCipher } from '../token-cipher';
import { warnUnreadable, type UnreadableReporter } from '../unreadable-secrets';
import { assertSchemaUsable, migratePostgres, POSTGRES_MIGRATIONS, readSchemaState, type PostgresMigration } from './postgres-migrations';
import { createPool, describeTarget, quoteIdentifier, type PoolOptions, type PostgresTarget } from './postgres-pool';

export interface PostgresDatabaseOptions extends PostgresTarget {
  /** $BYOKEY_HOME, where the secret key file is when BYOKEY_SECRET_KEY is not set. */
  home: string;
  /** Where BYOKEY_SECRET_KEY (and BYOKEY_SECRET_KEY_PREVIOUS) is read from; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** The clock for timestamps and lease expiry (ms since epoch); tests move it. */
  now?: () => number;
  pool?: PoolOptions;
  /**
   * An idle connection failed (the server restarted, a proxy cut it). The pool drops it and the
   * next query opens another; without a listener, pg would crash the process.
   */
  onIdleError?: (error: Error) => void;
  /** Told about each row a list leaves out because its secret cannot be opened; default a process warning. */
  onUnreadable?: UnreadableReporter;
  /** Tests only: another migration list (the real one and more). */
  migrations?: readonly PostgresMigration[];
}

export const KEY_CHECK = 'key_check';

export class PostgresDatabase {
  private closed = false;

  private constructor(
    readonly pool: Pool,
    readonly cipher: TokenCipher,
    readonly now: () => number,
    /** Where the database is, without its password: for messages and `byokey status`. */
    readonly description: string,
    /** Where the secret key (and the previous key, during a rotation) came from. */
    readonly keySources: KeySources,
    /** Told about each row a store's list leaves out (see unreadable-secrets.ts). */
    readonly reportUnreadable: UnreadableReporter,
  ) {}

  /** Where the current secret key came from: BYOKEY_SECRET_KEY or the key file's path. */
  get keySource(): string {
    return this.keySources.current;
  }

  /**
   * Connects, and sets up the schema when it is new. Throws a StoreError, having changed nothing,
   * when the database cannot be reached, the schema is another program's or a newer byokey's,
   * or the secret key is missing or not the one its data was encrypted with.
   */
  static async open(options: PostgresDatabaseOptions): Promise<PostgresDatabase> {
    const description = describeTarget(options);
    const pool = createPool(options, options.pool);
    pool.on('error', (error) => options.onIdleError?.(error));
    try {
      const secret = await withMigrationLock(pool, options.schema, (client) => setUp(client, options, description));
      return new PostgresDatabase(
        pool,
        secret.cipher,
        options.now ?? Date.now,
        description,
        secret.sources,
        options.onUnreadable ?? warnUnreadable,
      );
    } catch (error) {
      await pool.end().catch(() => undefined);
      if (error instanceof StoreError) throw error;
      throw new StoreError(`Cannot open the PostgreSQL store ${description} (${describePgError(error)}).`, { cause: error });
    }
  }

  /**
   * One statement. With a `name`, pg prepares it once per connection and afterwards sends only
   * its parameters: for the statements that run often (polls, leases, batches).
   */
  async query<R extends QueryResultRow>(text: string, values: readonly unknown[] = [], name?: string): Promise<{ rows: R[]; rowCount: number }> {
    const result = await this.pool.query<R>({ text, values: values as unknown[], name });
    return { rows: result.rows, rowCount: result.rowCount ?? 0 };
  }

  /** Runs `work` in one transaction on one connection: committed when it resolves, rolled back when it throws. */
  async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      try {
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
        throw error;
      }
    } finally {
      // A connection whose rollback failed is in an unknown state: dropped, not reused.
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

/**
 * Whether byokey's schema holds anything yet, read without writing (no schema, table, lock or
 * key is created): the read-only commands (`status`, `accounts list` …) read an empty store when
 * it does not, as they do before the SQLite file exists. Throws a StoreError when the database
 * cannot be reached.
 */
export async function postgresSchemaIsEmpty(target: PostgresTarget): Promise<boolean> {
  const description = describeTarget(target);
  const pool = createPool(target, { max: 1 });
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    try {
      return (await readSchemaState(client, target.schema)).tables.size === 0;
    } finally {
      client.release();
    }
  } catch (error) {
    throw new StoreError(`Cannot open the PostgreSQL store ${description} (${describePgError(error)}).`, { cause: error });
  } finally {
    await pool.end().catch(() => undefined);
  }
}

/**
 * The advisory lock every byokey takes before it looks at or migrates the schema: derived from
 * the schema's name, so gateways on other schemas of the same database do not wait for each other.
 * pg_advisory_lock takes a bigint; the first 8 bytes of a hash give a stable one.
 */
export function migrationLockKey(schema: string): string {
  return createHash('sha256').update(`byokey migrations ${schema}`).digest().readBigInt64BE(0).toString();
}

/**
 * Holds the lock on a connection of its own while `work` runs. The lock belongs to the session:
 * if this process dies meanwhile, the server drops the connection and the lock with it.
 */
async function withMigrationLock<T>(pool: Pool, schema: string, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let failed: Error | undefined;
  try {
    const key = migrationLockKey(schema);
    await client.query('SELECT pg_advisory_lock($1::bigint)', [key]);
    const result = await work(client);
    await client.query('SELECT pg_advisory_unlock($1::bigint)', [key]);
    return result;
  } catch (error) {
    // Dropping the connection ends the session, which releases the lock whatever state it is in.
    failed = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    client.release(failed);
  }
}

/**
 * Everything up to the key check only reads, so a refusal leaves the schema as it was; then the
 * schema, the migrations and the key check are written. Runs under the migration lock.
 */
async function setUp(
  client: PoolClient,
  options: PostgresDatabaseOptions,
  description: string,
): Promise<{ cipher: TokenCipher; sources: KeySources }> {
  const state = await readSchemaState(client, options.schema);
  const migrations = options.migrations ?? POSTGRES_MIGRATIONS;
  assertSchemaUsable(state, `The PostgreSQL store ${description}`, migrations);
  const keyCheck = state.tables.has('meta') ? await readKeyCheck(client) : undefined;
  const accountCount = state.tables.has('accounts')
    ? ((await client.query<{ n: number }>('SELECT count(*) AS n FROM accounts')).rows[0]?.n ?? 0)
    : 0;

  const keys = loadSecretKeys({
    home: options.home,
    env: options.env ?? process.env,
    allowCreate: keyCheck === undefined && accountCount === 0,
  });
  const sources = keySourcesOf(keys);
  const cipher = new TokenCipher(keys.current.key, keys.previous?.key);
  if (keyCheck && !cipher.matchesKeyCheck(keyCheck)) throw keyMismatch(description, sources);

  await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(options.schema)}`);
  await migratePostgres(client, migrations, options.now);
  await ensureKeyCheck(client, cipher, description, sources);
  return { cipher, sources };
}

async function readKeyCheck(client: PoolClient): Promise<Buffer | undefined> {
  const { rows } = await client.query<{ value: string }>('SELECT value FROM meta WHERE key = $1', [KEY_CHECK]);
  return rows.length === 0 ? undefined : Buffer.from(rows[0].value, 'base64');
}

/**
 * Stores a key check made with the current key when there is none yet; the caller holds the
 * migration lock, so one key wins. One made with the previous key stays as it is (instances not
 * yet given the new key must still start) until `byokey rekey` re-seals it.
 */
async function ensureKeyCheck(client: PoolClient, cipher: TokenCipher, description: string, sources: KeySources): Promise<void> {
  const stored = await readKeyCheck(client);
  if (stored) {
    if (!cipher.matchesKeyCheck(stored)) throw keyMismatch(description, sources);
    return;
  }
  // Accounts but no key check should not happen, but if it does, prove the key on an account
  // before vouching for it: stamping a wrong key would make the mismatch look like corruption.
  const { rows } = await client.query<{ provider: string; account_id: string; tokens: Buffer }>(
    'SELECT provider, account_id, tokens FROM accounts LIMIT 1',
  );
  if (rows.length > 0) {
    try {
      cipher.decryptTokens({ provider: rows[0].provider, accountId: rows[0].account_id }, rows[0].tokens);
    } catch (error) {
      throw keyMismatch(description, sources, error);
    }
  }
  await client.query('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [
    KEY_CHECK,
    cipher.createKeyCheck().toString('base64'),
  ]);
}

function keyMismatch(description: string, sources: KeySources, cause?: unknown): StoreError {
  return new StoreError(
    `${keysDoNotMatch(sources)} the PostgreSQL store ${description}: its accounts were ` +
      `encrypted with another key. Give every instance the same key (${SECRET_KEY_ENV}, or the same key file). ` +
      `${ROTATION_HINT} Nothing was changed.`,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * A driver or network error in a few words: PostgreSQL's own message (with its SQLSTATE), else
 * the system error's code (a refused connection is an AggregateError with an empty message).
 */
export function describePgError(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const record = error as { message?: unknown; code?: unknown; errors?: unknown };
  const message = typeof record.message === 'string' ? record.message : '';
  const code = typeof record.code === 'string' ? record.code : undefined;
  if (message && code && /^[0-9A-Z]{5}$/.test(code)) return `${message} [${code}]`;
  if (message) return code && !message.includes(code) ? `${code}: ${message}` : message;
  if (code) return code;
  if (Array.isArray(record.errors) && record.errors.length > 0) return describePgError(record.errors[0]);
  return String(error);
}
