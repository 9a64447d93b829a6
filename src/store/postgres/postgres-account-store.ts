// The AccountStore on a shared PostgreSQL database, for several gateways at once: the same
// behaviour and the same sealed token format as the SQLite store (token-cipher.ts, one secret
// key for every instance). What must hold across processes is done by the database: a refresh
// lease is taken, renewed, released or taken over by one conditional UPDATE; a token write with
// an expected version is an UPDATE … WHERE version = …; the one default per provider is a
// partial unique index, and the transactions that move it take a per-provider advisory lock so
// that two of them wait for each other instead of failing on the index.
import type { PoolClient } from 'pg';
import type { Account, AccountStatus, AccountTokens, NewAccount, TokenUpdate } from '../account';
import { AccountStore, type RefreshLease } from '../account-store';
import { openEach } from '../unreadable-secrets';
import { ACCOUNT_COLUMNS, toAccount, type PostgresAccountRow } from './postgres-account-row';
import { PostgresDatabase, type PostgresDatabaseOptions } from './postgres-database';

const WHERE = 'WHERE provider = $1 AND account_id = $2';

const SQL = {
  get: `SELECT ${ACCOUNT_COLUMNS} FROM accounts ${WHERE}`,
  getDefault: `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE provider = $1 AND is_default`,
  listAll: `SELECT ${ACCOUNT_COLUMNS} FROM accounts ORDER BY provider, is_default DESC, account_id`,
  listProvider: `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE provider = $1 ORDER BY is_default DESC, account_id`,
  // Serialises the transactions that move a provider's default (keys: the schema, the provider).
  lockProvider: 'SELECT pg_advisory_xact_lock(hashtext(current_schema()), hashtext($1))',
  // A new login inserts; a login for an existing name replaces its tokens and expiry, and its
  // label and claims when given, keeping created_at, refreshed_at and the default flag, and bumps
  // the version so a refresh that started before the login cannot overwrite it. "No default yet"
  // rather than "no account yet": the same while the invariant holds, and it heals a provider
  // that somehow lost its default.
  save: `
    INSERT INTO accounts (provider, account_id, label, is_default, status, tokens, expires_at, claims,
                          created_at, updated_at, version)
    VALUES ($1, $2, $3, NOT EXISTS (SELECT 1 FROM accounts WHERE provider = $1 AND is_default), 'active', $4, $5,
            coalesce($6::jsonb, '{}'::jsonb), $7, $7, 1)
    ON CONFLICT (provider, account_id) DO UPDATE
    SET label = coalesce(EXCLUDED.label, accounts.label), status = 'active', status_reason = NULL,
        tokens = EXCLUDED.tokens, expires_at = EXCLUDED.expires_at,
        claims = CASE WHEN $6::jsonb IS NULL THEN accounts.claims ELSE EXCLUDED.claims END,
        updated_at = EXCLUDED.updated_at, version = accounts.version + 1
    RETURNING ${ACCOUNT_COLUMNS}`,
  writeTokens: `
    UPDATE accounts
    SET tokens = $3, expires_at = coalesce($4::bigint, expires_at), claims = $5::jsonb, refreshed_at = $6,
        updated_at = $6, version = version + 1
    ${WHERE} AND version = $7
    RETURNING ${ACCOUNT_COLUMNS}`,
  writeStatus: `
    UPDATE accounts SET status = $3, status_reason = $4, updated_at = $5
    ${WHERE} AND ($6::bigint IS NULL OR version = $6::bigint)`,
  exists: `SELECT 1 FROM accounts ${WHERE}`,
  sealedForUpdate: `SELECT tokens FROM accounts ${WHERE} FOR UPDATE`,
  writeSealed: `UPDATE accounts SET tokens = $3, updated_at = $4 ${WHERE}`,
  // One statement, so two gateways merging at once both keep their keys.
  mergeClaims: `UPDATE accounts SET claims = coalesce(claims, '{}'::jsonb) || $3::jsonb, updated_at = $4 ${WHERE}`,
  clearDefault: 'UPDATE accounts SET is_default = false, updated_at = $2 WHERE provider = $1 AND is_default',
  markDefault: `UPDATE accounts SET is_default = true, updated_at = $3 ${WHERE}`,
  delete: `DELETE FROM accounts ${WHERE} RETURNING is_default`,
  promoteOldest: `
    UPDATE accounts SET is_default = true, updated_at = $2
    WHERE provider = $1 AND account_id = (
      SELECT account_id FROM accounts WHERE provider = $1 ORDER BY created_at, account_id LIMIT 1)`,
  // One statement each: the check and the write are atomic across gateways (a concurrent UPDATE
  // of the row waits, then re-checks the condition on the row the other one wrote). $6 is NULL
  // unless the caller found the holder gone, and NULL equals nothing.
  takeLease: `
    UPDATE accounts
    SET refresh_lease_holder = $3, refresh_lease_until = $4, refresh_lease_heartbeat_at = $5
    ${WHERE} AND (refresh_lease_holder IS NULL OR refresh_lease_until IS NULL OR refresh_lease_until <= $5
                  OR refresh_lease_holder = $3 OR refresh_lease_holder = $6::text)`,
  renewLease: `
    UPDATE accounts SET refresh_lease_until = $4, refresh_lease_heartbeat_at = $5
    ${WHERE} AND refresh_lease_holder = $3`,
  dropLease: `
    UPDATE accounts SET refresh_lease_holder = NULL, refresh_lease_until = NULL, refresh_lease_heartbeat_at = NULL
    ${WHERE} AND refresh_lease_holder = $3`,
  getLease: `
    SELECT refresh_lease_holder AS holder, refresh_lease_until AS until, refresh_lease_heartbeat_at AS heartbeat_at
    FROM accounts ${WHERE} AND refresh_lease_holder IS NOT NULL`,
} as const;

interface LeaseRow {
  holder: string;
  until: number | null;
  heartbeat_at: number | null;
}

export class PostgresAccountStore extends AccountStore {
  private readonly now: () => number;

  /** Takes over `database`: closing this store closes it (as SqliteAccountStore closes its file). */
  constructor(readonly database: PostgresDatabase) {
    super();
    this.now = database.now;
  }

  /** Opens the database (see PostgresDatabase.open) with this store on it. */
  static async open(options: PostgresDatabaseOptions): Promise<PostgresAccountStore> {
    return new PostgresAccountStore(await PostgresDatabase.open(options));
  }

  async list(provider?: string): Promise<Account[]> {
    const { rows } =
      provider === undefined
        ? await this.database.query<PostgresAccountRow>(SQL.listAll, [], 'byokey_accounts_list_all')
        : await this.database.query<PostgresAccountRow>(SQL.listProvider, [provider], 'byokey_accounts_list_provider');
    return openEach(rows, (row) => toAccount(row, this.database.cipher), this.database.reportUnreadable);
  }

  async get(provider: string, accountId: string): Promise<Account | undefined> {
    const row = await this.readRow(provider, accountId);
    return row && toAccount(row, this.database.cipher);
  }

  async getDefault(provider: string): Promise<Account | undefined> {
    const { rows } = await this.database.query<PostgresAccountRow>(SQL.getDefault, [provider], 'byokey_accounts_get_default');
    return rows[0] && toAccount(rows[0], this.database.cipher);
  }

  async save(account: NewAccount): Promise<Account> {
    const key = { provider: account.provider, accountId: account.accountId };
    const row = await this.database.transaction(async (client) => {
      await lockProvider(client, account.provider);
      // A new login keeps the account's proxy unless it names one itself.
      let keptProxy: string | undefined;
      if (account.tokens.proxyUrl === undefined) {
        const existing = await client.query<{ tokens: Buffer }>(SQL.sealedForUpdate, [account.provider, account.accountId]);
        if (existing.rows[0]) keptProxy = this.database.cipher.decryptTokens(key, existing.rows[0].tokens).proxyUrl;
      }
      const tokens = this.database.cipher.encryptTokens(key, keptProxy === undefined ? account.tokens : { ...account.tokens, proxyUrl: keptProxy });
      const { rows } = await client.query<PostgresAccountRow>(SQL.save, [
        account.provider,
        account.accountId,
        account.label ?? null,
        tokens,
        toMillis(account.expiresAt),
        account.claims === undefined ? null : JSON.stringify(account.claims),
        Math.floor(this.now()),
      ]);
      return rows[0];
    });
    return toAccount(row, this.database.cipher);
  }

  /**
   * Reads, merges the update over the stored tokens and claims, and writes only if the version
   * is still the one read. With `expectedVersion` a moved version means undefined; without it,
   * another writer got in between and the merge is redone on top of what it wrote.
   */
  async updateTokens(
    provider: string,
    accountId: string,
    update: TokenUpdate,
    expectedVersion?: number,
  ): Promise<Account | undefined> {
    const key = { provider, accountId };
    for (;;) {
      const row = await this.readRow(provider, accountId);
      if (!row) return undefined;
      if (expectedVersion !== undefined && row.version !== expectedVersion) return undefined;
      const current = toAccount(row, this.database.cipher);
      const tokens: AccountTokens = {
        accessToken: update.accessToken,
        refreshToken: update.refreshToken ?? current.tokens.refreshToken,
        idToken: update.idToken ?? current.tokens.idToken,
        proxyUrl: current.tokens.proxyUrl,
        clientSecret: current.tokens.clientSecret,
      };
      const { rows } = await this.database.query<PostgresAccountRow>(
        SQL.writeTokens,
        [
          provider,
          accountId,
          this.database.cipher.encryptTokens(key, tokens),
          toMillis(update.expiresAt),
          JSON.stringify({ ...current.claims, ...update.claims }),
          Math.floor(this.now()),
          row.version,
        ],
        'byokey_accounts_write_tokens',
      );
      if (rows[0]) return toAccount(rows[0], this.database.cipher);
      if (expectedVersion !== undefined) return undefined;
    }
  }

  /** Does nothing when the account does not exist (it may have been removed meanwhile). */
  async setStatus(
    provider: string,
    accountId: string,
    status: AccountStatus,
    reason?: string,
    expectedVersion?: number,
  ): Promise<boolean> {
    const { rowCount } = await this.database.query(SQL.writeStatus, [
      provider,
      accountId,
      status,
      reason ?? null,
      Math.floor(this.now()),
      expectedVersion ?? null,
    ]);
    return rowCount > 0;
  }

  async setProxy(provider: string, accountId: string, proxyUrl: string | undefined): Promise<boolean> {
    const key = { provider, accountId };
    return this.database.transaction(async (client) => {
      const { rows } = await client.query<{ tokens: Buffer }>(SQL.sealedForUpdate, [provider, accountId]);
      if (!rows[0]) return false;
      const { proxyUrl: _old, ...tokens } = this.database.cipher.decryptTokens(key, rows[0].tokens);
      const sealed = this.database.cipher.encryptTokens(key, proxyUrl === undefined ? tokens : { ...tokens, proxyUrl });
      await client.query(SQL.writeSealed, [provider, accountId, sealed, Math.floor(this.now())]);
      return true;
    });
  }

  async mergeClaims(provider: string, accountId: string, claims: Record<string, unknown>): Promise<boolean> {
    const { rowCount } = await this.database.query(SQL.mergeClaims, [provider, accountId, JSON.stringify(claims), Math.floor(this.now())]);
    return rowCount > 0;
  }

  async setDefault(provider: string, accountId: string): Promise<boolean> {
    return this.database.transaction(async (client) => {
      await lockProvider(client, provider);
      if ((await client.query(SQL.exists, [provider, accountId])).rowCount === 0) return false;
      const now = Math.floor(this.now());
      // Clear first: the unique index allows one default per provider at every moment.
      await client.query(SQL.clearDefault, [provider, now]);
      await client.query(SQL.markDefault, [provider, accountId, now]);
      return true;
    });
  }

  async remove(provider: string, accountId: string): Promise<boolean> {
    return this.database.transaction(async (client) => {
      await lockProvider(client, provider);
      const { rows } = await client.query<{ is_default: boolean }>(SQL.delete, [provider, accountId]);
      if (rows.length === 0) return false;
      if (rows[0].is_default) await client.query(SQL.promoteOldest, [provider, Math.floor(this.now())]);
      return true;
    });
  }

  async acquireRefreshLease(
    provider: string,
    accountId: string,
    holder: string,
    ttlMs: number,
    takeOverFrom?: string,
  ): Promise<boolean> {
    const now = Math.floor(this.now());
    const until = leaseUntil(now, ttlMs);
    const { rowCount } = await this.database.query(
      SQL.takeLease,
      [provider, accountId, holder, until, now, takeOverFrom ?? null],
      'byokey_accounts_take_lease',
    );
    return rowCount === 1;
  }

  async renewRefreshLease(provider: string, accountId: string, holder: string, ttlMs: number): Promise<boolean> {
    const now = Math.floor(this.now());
    const { rowCount } = await this.database.query(
      SQL.renewLease,
      [provider, accountId, holder, leaseUntil(now, ttlMs), now],
      'byokey_accounts_renew_lease',
    );
    return rowCount === 1;
  }

  async releaseRefreshLease(provider: string, accountId: string, holder: string): Promise<void> {
    await this.database.query(SQL.dropLease, [provider, accountId, holder], 'byokey_accounts_drop_lease');
  }

  async getRefreshLease(provider: string, accountId: string): Promise<RefreshLease | undefined> {
    const { rows } = await this.database.query<LeaseRow>(SQL.getLease, [provider, accountId], 'byokey_accounts_get_lease');
    const row = rows[0];
    if (!row) return undefined;
    // A holder without an expiry is not something byokey writes (a hand edit): expired, as the take sees it.
    const lease: RefreshLease = { holder: row.holder, until: row.until ?? 0 };
    if (row.heartbeat_at !== null) lease.heartbeatAt = row.heartbeat_at;
    return lease;
  }

  async close(): Promise<void> {
    await this.database.close();
  }

  private async readRow(provider: string, accountId: string): Promise<PostgresAccountRow | undefined> {
    const { rows } = await this.database.query<PostgresAccountRow>(SQL.get, [provider, accountId], 'byokey_accounts_get');
    return rows[0];
  }
}

async function lockProvider(client: PoolClient, provider: string): Promise<void> {
  await client.query(SQL.lockProvider, [provider]);
}

function leaseUntil(now: number, ttlMs: number): number {
  if (!(ttlMs > 0) || !Number.isFinite(ttlMs)) {
    throw new RangeError(`lease ttl must be a positive number of ms, not ${ttlMs}`);
  }
  return Math.ceil(now + ttlMs);
}

/** The columns are BIGINT: a fractional millisecond would be refused. */
function toMillis(value: number | undefined): number | null {
  return value === undefined ? null : Math.floor(value);
}
