// The embedded AccountStore: $BYOKEY_HOME/byokey.db through better-sqlite3, tokens sealed with
// the secret key. WAL mode and a busy timeout let a CLI command and a running server use the
// file at the same time; everything that reads before it writes takes the write lock first
// (BEGIN IMMEDIATE), so two processes cannot interleave inside one operation.
import type Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Account, AccountStatus, AccountTokens, NewAccount, TokenUpdate } from '../account';
import { AccountStore, type RefreshLease } from '../account-store';
import { describeError } from '../error-code';
import { keySourcesOf, loadSecretKeys, type KeySources } from '../secret-key';
import { StoreError } from '../store-error';
import { TokenCipher } from '../token-cipher';
import { openEach, warnUnreadable, type UnreadableReporter } from '../unreadable-secrets';
import { ACCOUNT_COLUMNS, type AccountRow, toAccount } from './account-row';
import {
  connect,
  DATABASE_FILE,
  EMPTY_DATABASE_STATE,
  inspectDatabaseFile,
  readDatabaseState,
  restrictToOwner,
} from './database-file';
import { ensureKeyCheck, keyMismatch } from './key-check';
import { migrate } from './migrations';

export interface SqliteAccountStoreOptions {
  /** $BYOKEY_HOME: must exist (the caller creates it, with the mode it wants). */
  home: string;
  /** Where BYOKEY_SECRET_KEY (and BYOKEY_SECRET_KEY_PREVIOUS) is read from; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** The clock for timestamps and lease expiry (ms since epoch); tests move it. */
  now?: () => number;
  /** How long to wait for another process's write lock; default 5 s. */
  busyTimeoutMs?: number;
  /** Told about each account a list leaves out because its tokens cannot be opened; default a process warning. */
  onUnreadable?: UnreadableReporter;
}

interface Key {
  provider: string;
  accountId: string;
}

interface Now {
  now: number;
}

interface SealedTokens {
  tokens: Buffer;
  expiresAt: number | null;
}

interface LeaseRow {
  holder: string;
  until: number | null;
  heartbeatAt: number | null;
}

/** A statement taking one object of named parameters. */
type Statement<P, R = unknown> = Database.Statement<[P], R>;

export class SqliteAccountStore extends AccountStore {
  private readonly select: Statement<Key, AccountRow>;
  private readonly selectDefault: Statement<string, AccountRow>;
  private readonly selectAll: Database.Statement<[], AccountRow>;
  private readonly selectByProvider: Statement<string, AccountRow>;
  private readonly insert: Statement<Key & SealedTokens & Now & { label: string | null; isDefault: number; claims: string }>;
  private readonly relogin: Statement<Key & SealedTokens & Now & { label: string | null; claims: string | null }>;
  private readonly writeTokens: Statement<Key & SealedTokens & Now & { claims: string; version: number }>;
  private readonly writeSealed: Statement<Key & Now & { tokens: Buffer }>;
  private readonly patchClaims: Statement<Key & Now & { claims: string }>;
  private readonly writeStatus: Statement<Key & Now & { status: AccountStatus; reason: string | null; version: number | null }>;
  private readonly clearDefault: Statement<Now & { provider: string }>;
  private readonly markDefault: Statement<Key & Now>;
  private readonly delete: Statement<Key>;
  private readonly promoteOldest: Statement<Now & { provider: string }>;
  private readonly takeLease: Statement<Key & Now & { holder: string; until: number; takeOverFrom: string | null }>;
  private readonly renewLease: Statement<Key & Now & { holder: string; until: number }>;
  private readonly dropLease: Statement<Key & { holder: string }>;
  private readonly selectLease: Statement<Key, LeaseRow>;

  private constructor(
    private readonly db: Database.Database,
    private readonly cipher: TokenCipher,
    private readonly now: () => number,
    /** The database file, for messages and `byokey status`. */
    readonly databasePath: string,
    /** Where the secret key (and the previous key, during a rotation) came from. */
    readonly keySources: KeySources,
    /** Told about each row a list leaves out; the provider overrides store reports through it too. */
    readonly reportUnreadable: UnreadableReporter,
  ) {
    super();
    const where = 'WHERE provider = @provider AND account_id = @accountId';
    this.select = db.prepare(`SELECT ${ACCOUNT_COLUMNS} FROM accounts ${where}`);
    this.selectDefault = db.prepare(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE provider = ? AND is_default = 1`);
    this.selectAll = db.prepare(`SELECT ${ACCOUNT_COLUMNS} FROM accounts ORDER BY provider, is_default DESC, account_id`);
    this.selectByProvider = db.prepare(
      `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE provider = ? ORDER BY is_default DESC, account_id`,
    );
    this.insert = db.prepare(`
      INSERT INTO accounts (provider, account_id, label, is_default, status, tokens, expires_at, claims,
                            created_at, updated_at, version)
      VALUES (@provider, @accountId, @label, @isDefault, 'active', @tokens, @expiresAt, @claims, @now, @now, 1)`);
    this.relogin = db.prepare(`
      UPDATE accounts
      SET label = coalesce(@label, label), status = 'active', status_reason = NULL, tokens = @tokens,
          expires_at = @expiresAt, claims = coalesce(@claims, claims), updated_at = @now, version = version + 1
      ${where}`);
    this.writeTokens = db.prepare(`
      UPDATE accounts
      SET tokens = @tokens, expires_at = @expiresAt, claims = @claims, refreshed_at = @now, updated_at = @now,
          version = version + 1
      ${where} AND version = @version`);
    this.writeSealed = db.prepare(`UPDATE accounts SET tokens = @tokens, updated_at = @now ${where}`);
    // One statement, so two processes merging at once both keep their keys.
    this.patchClaims = db.prepare(`UPDATE accounts SET claims = json_patch(coalesce(claims, '{}'), @claims), updated_at = @now ${where}`);
    this.writeStatus = db.prepare(
      `UPDATE accounts SET status = @status, status_reason = @reason, updated_at = @now
       ${where} AND (@version IS NULL OR version = @version)`,
    );
    this.clearDefault = db.prepare(
      'UPDATE accounts SET is_default = 0, updated_at = @now WHERE provider = @provider AND is_default = 1',
    );
    this.markDefault = db.prepare(`UPDATE accounts SET is_default = 1, updated_at = @now ${where}`);
    this.delete = db.prepare(`DELETE FROM accounts ${where}`);
    this.promoteOldest = db.prepare(`
      UPDATE accounts SET is_default = 1, updated_at = @now
      WHERE provider = @provider AND account_id = (
        SELECT account_id FROM accounts WHERE provider = @provider ORDER BY created_at, account_id LIMIT 1)`);
    // One statement, so the check and the take are atomic across processes without a
    // transaction: SQLite runs each write statement under the database's write lock.
    // `@takeOverFrom` is NULL unless the caller found the holder gone (and NULL equals nothing).
    this.takeLease = db.prepare(`
      UPDATE accounts
      SET refresh_lease_holder = @holder, refresh_lease_until = @until, refresh_lease_heartbeat_at = @now
      ${where} AND (refresh_lease_holder IS NULL OR refresh_lease_until IS NULL OR refresh_lease_until <= @now
                    OR refresh_lease_holder = @holder OR refresh_lease_holder = @takeOverFrom)`);
    this.renewLease = db.prepare(`
      UPDATE accounts SET refresh_lease_until = @until, refresh_lease_heartbeat_at = @now
      ${where} AND refresh_lease_holder = @holder`);
    this.dropLease = db.prepare(`
      UPDATE accounts SET refresh_lease_holder = NULL, refresh_lease_until = NULL, refresh_lease_heartbeat_at = NULL
      ${where} AND refresh_lease_holder = @holder`);
    this.selectLease = db.prepare(`
      SELECT refresh_lease_holder AS holder, refresh_lease_until AS until, refresh_lease_heartbeat_at AS heartbeatAt
      FROM accounts ${where} AND refresh_lease_holder IS NOT NULL`);
  }

  /**
   * Opens (creating when absent) $BYOKEY_HOME/byokey.db. Throws a StoreError, having changed
   * nothing, when the file is not a byokey database, was written by a newer byokey, or the
   * secret key is missing or not the one its data was encrypted with. A key file is created only
   * while the database holds nothing encrypted.
   */
  static open(options: SqliteAccountStoreOptions): SqliteAccountStore {
    const home = resolve(options.home);
    assertDirectory(home);
    const path = join(home, DATABASE_FILE);
    const busyTimeoutMs = options.busyTimeoutMs ?? 5000;

    // Everything up to the key check only reads: a refusal leaves the file as it was.
    const kind = inspectDatabaseFile(path);
    let db = kind === 'absent' ? undefined : connect(path, { create: false, busyTimeoutMs });
    try {
      const state = db ? readDatabaseState(db, path) : EMPTY_DATABASE_STATE;
      const keys = loadSecretKeys({
        home,
        env: options.env ?? process.env,
        allowCreate: state.keyCheck === undefined && state.accountCount === 0,
      });
      const sources = keySourcesOf(keys);
      const cipher = new TokenCipher(keys.current.key, keys.previous?.key);
      if (state.keyCheck && !cipher.matchesKeyCheck(state.keyCheck)) throw keyMismatch(path, sources);

      if (db) restrictToOwner(path);
      else db = connect(path, { create: true, busyTimeoutMs });
      setUp(db, path, cipher, sources);
      return new SqliteAccountStore(db, cipher, options.now ?? Date.now, path, sources, options.onUnreadable ?? warnUnreadable);
    } catch (error) {
      db?.close();
      throw error;
    }
  }

  async list(provider?: string): Promise<Account[]> {
    const rows = provider === undefined ? this.selectAll.all() : this.selectByProvider.all(provider);
    return openEach(rows, (row) => toAccount(row, this.cipher), this.reportUnreadable);
  }

  async get(provider: string, accountId: string): Promise<Account | undefined> {
    return this.read({ provider, accountId });
  }

  async getDefault(provider: string): Promise<Account | undefined> {
    const row = this.selectDefault.get(provider);
    return row && toAccount(row, this.cipher);
  }

  /**
   * A new login for an existing name replaces its tokens and expiry, and its label and claims
   * when given; it keeps created_at, refreshed_at and the default flag, and bumps the version so
   * a refresh that started before the login cannot overwrite it.
   */
  async save(account: NewAccount): Promise<Account> {
    const key = { provider: account.provider, accountId: account.accountId };
    const expiresAt = toMillis(account.expiresAt);
    return this.db
      .transaction(() => {
        const now = this.now();
        const existing = this.select.get(key);
        // A new login keeps the account's proxy unless it names one itself.
        const keptProxy = existing && account.tokens.proxyUrl === undefined ? toAccount(existing, this.cipher).tokens.proxyUrl : undefined;
        const tokens = this.cipher.encryptTokens(key, keptProxy === undefined ? account.tokens : { ...account.tokens, proxyUrl: keptProxy });
        if (existing) {
          this.relogin.run({
            ...key,
            label: account.label ?? null,
            tokens,
            expiresAt,
            claims: account.claims === undefined ? null : JSON.stringify(account.claims),
            now,
          });
        } else {
          // "No default yet" rather than "no account yet": the same thing while the invariant
          // holds, and it heals a provider that somehow lost its default.
          const isDefault = this.selectDefault.get(account.provider) ? 0 : 1;
          this.insert.run({
            ...key,
            label: account.label ?? null,
            isDefault,
            tokens,
            expiresAt,
            claims: JSON.stringify(account.claims ?? {}),
            now,
          });
        }
        return this.mustRead(key);
      })
      .immediate();
  }

  /**
   * Fields of the update left undefined keep their stored value; claims are merged over the
   * stored ones (a refresh response rarely repeats every claim the login recorded). Undefined
   * when the account does not exist or, with `expectedVersion`, when its version moved on.
   */
  async updateTokens(
    provider: string,
    accountId: string,
    update: TokenUpdate,
    expectedVersion?: number,
  ): Promise<Account | undefined> {
    const key = { provider, accountId };
    return this.db
      .transaction(() => {
        const row = this.select.get(key);
        if (!row) return undefined;
        if (expectedVersion !== undefined && row.version !== expectedVersion) return undefined;
        const current = toAccount(row, this.cipher);
        const tokens: AccountTokens = {
          accessToken: update.accessToken,
          refreshToken: update.refreshToken ?? current.tokens.refreshToken,
          idToken: update.idToken ?? current.tokens.idToken,
          proxyUrl: current.tokens.proxyUrl,
          clientSecret: current.tokens.clientSecret,
        };
        this.writeTokens.run({
          ...key,
          tokens: this.cipher.encryptTokens(key, tokens),
          expiresAt: update.expiresAt === undefined ? (row.expires_at ?? null) : toMillis(update.expiresAt),
          claims: JSON.stringify({ ...current.claims, ...update.claims }),
          now: this.now(),
          version: row.version,
        });
        return this.mustRead(key);
      })
      .immediate();
  }

  /** Does nothing when the account does not exist (it may have been removed meanwhile). */
  async setStatus(
    provider: string,
    accountId: string,
    status: AccountStatus,
    reason?: string,
    expectedVersion?: number,
  ): Promise<boolean> {
    const result = this.writeStatus.run({
      provider,
      accountId,
      status,
      reason: reason ?? null,
      now: this.now(),
      version: expectedVersion ?? null,
    });
    return result.changes > 0;
  }

  async setProxy(provider: string, accountId: string, proxyUrl: string | undefined): Promise<boolean> {
    const key = { provider, accountId };
    return this.db
      .transaction(() => {
        const row = this.select.get(key);
        if (!row) return false;
        const { proxyUrl: _old, ...tokens } = toAccount(row, this.cipher).tokens;
        const sealed = this.cipher.encryptTokens(key, proxyUrl === undefined ? tokens : { ...tokens, proxyUrl });
        this.writeSealed.run({ ...key, tokens: sealed, now: this.now() });
        return true;
      })
      .immediate();
  }

  async mergeClaims(provider: string, accountId: string, claims: Record<string, unknown>): Promise<boolean> {
    return this.patchClaims.run({ provider, accountId, claims: JSON.stringify(claims), now: this.now() }).changes > 0;
  }

  async setDefault(provider: string, accountId: string): Promise<boolean> {
    const key = { provider, accountId };
    return this.db
      .transaction(() => {
        if (!this.select.get(key)) return false;
        const now = this.now();
        // Clear first: the unique index allows one default per provider at every moment.
        this.clearDefault.run({ provider, now });
        this.markDefault.run({ ...key, now });
        return true;
      })
      .immediate();
  }

  async remove(provider: string, accountId: string): Promise<boolean> {
    const key = { provider, accountId };
    return this.db
      .transaction(() => {
        const row = this.select.get(key);
        if (!row) return false;
        this.delete.run(key);
        if (row.is_default === 1) this.promoteOldest.run({ provider, now: this.now() });
        return true;
      })
      .immediate();
  }

  async acquireRefreshLease(
    provider: string,
    accountId: string,
    holder: string,
    ttlMs: number,
    takeOverFrom?: string,
  ): Promise<boolean> {
    const now = this.now();
    const until = leaseUntil(now, ttlMs);
    return this.takeLease.run({ provider, accountId, holder, now, until, takeOverFrom: takeOverFrom ?? null }).changes === 1;
  }

  async renewRefreshLease(provider: string, accountId: string, holder: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    return this.renewLease.run({ provider, accountId, holder, now, until: leaseUntil(now, ttlMs) }).changes === 1;
  }

  async releaseRefreshLease(provider: string, accountId: string, holder: string): Promise<void> {
    this.dropLease.run({ provider, accountId, holder });
  }

  async getRefreshLease(provider: string, accountId: string): Promise<RefreshLease | undefined> {
    const row = this.selectLease.get({ provider, accountId });
    if (!row) return undefined;
    // A holder without an expiry is not something byokey writes (a hand edit): expired, as the take sees it.
    const lease: RefreshLease = { holder: row.holder, until: row.until ?? 0 };
    if (row.heartbeatAt !== null) lease.heartbeatAt = row.heartbeatAt;
    return lease;
  }

  /**
   * The open database, for the other embedded stores (client keys, usage, runtime provider
   * changes): one file, one connection, one set of migrations. Closed with this store.
   */
  get connection(): Database.Database {
    return this.db;
  }

  /** Where the current secret key came from: BYOKEY_SECRET_KEY or the key file's path. */
  get keySource(): string {
    return this.keySources.current;
  }

  /** The cipher of this database's secret key, for the other embedded stores' secrets (upstream keys). */
  get tokenCipher(): TokenCipher {
    return this.cipher;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private read(key: Key): Account | undefined {
    const row = this.select.get(key);
    return row && toAccount(row, this.cipher);
  }

  /** Inside a transaction, right after a write that made the row exist. */
  private mustRead(key: Key): Account {
    const account = this.read(key);
    if (!account) throw new Error(`account ${key.provider}/${key.accountId} vanished inside its own transaction`);
    return account;
  }
}

function assertDirectory(home: string): void {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(home).isDirectory();
  } catch (error) {
    throw new StoreError(`The byokey home ${home} cannot be used (${describeError(error)}); create it first.`, {
      cause: error,
    });
  }
  if (!isDirectory) throw new StoreError(`The byokey home ${home} is not a directory.`);
}

/**
 * The first writes: journal mode, schema, key check. Past this point a failure may have changed
 * the database, but only in ways a later open redoes (migrations and the key check are
 * idempotent).
 */
function setUp(db: Database.Database, path: string, cipher: TokenCipher, sources: KeySources): void {
  try {
    // WAL: readers never block the writer, so `byokey accounts list` works while the server
    // refreshes. FULL: a refreshed token must survive a power cut, because the old refresh
    // token is already spent.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    migrate(db, path);
    ensureKeyCheck(db, cipher, path, sources);
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError(`Cannot set up the database ${path} (${describeError(error)}).`, { cause: error });
  }
}

function leaseUntil(now: number, ttlMs: number): number {
  if (!(ttlMs > 0) || !Number.isFinite(ttlMs)) {
    throw new RangeError(`lease ttl must be a positive number of ms, not ${ttlMs}`);
  }
  return Math.ceil(now + ttlMs);
}

/** Columns are INTEGER in a STRICT table; a fractional millisecond would be rejected. */
function toMillis(value: number | undefined): number | null {
  return value === undefined ? null : Math.floor(value);
}
