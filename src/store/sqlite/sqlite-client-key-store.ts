// The embedded ClientKeyStore: the client_keys table in $BYOKEY_HOME/byokey.db, on the connection
// the account store opened (one file, one set of migrations). Every change bumps
// meta.client_keys_revision in the same transaction, which gateways sharing the file poll.
import type Database from 'better-sqlite3';
import type { ClientKey, ClientKeyChanges, ClientKeyLimits, NewClientKey } from '../client-key';
import { newKeyId } from '../client-key-secret';
import { ClientKeyNameTaken, ClientKeyStore } from '../client-key-store';

interface Row {
  id: string;
  name: string;
  prefix: string;
  secret_hash: string;
  models: string;
  rpm: number | null;
  tpm: number | null;
  concurrency: number | null;
  budget_tokens: number | null;
  budget_period: 'day' | 'month' | null;
  expires_at: number | null;
  created_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
}

/** The writable columns, as named parameters. */
interface Limits {
  models: string;
  rpm: number | null;
  tpm: number | null;
  concurrency: number | null;
  budgetTokens: number | null;
  budgetPeriod: string | null;
  expiresAt: number | null;
}

const REVISION = "'client_keys_revision'";

export class SqliteClientKeyStore extends ClientKeyStore {
  private readonly insert: Database.Statement<[Limits & { id: string; name: string; prefix: string; secretHash: string; now: number }]>;
  private readonly selectAll: Database.Statement<[], Row>;
  private readonly selectById: Database.Statement<[string], Row>;
  private readonly selectByName: Database.Statement<[string], Row>;
  private readonly activeByName: Database.Statement<[string], Row>;
  private readonly writeLimits: Database.Statement<[Limits & { id: string }]>;
  private readonly writeRevoked: Database.Statement<[{ id: string; now: number }]>;
  private readonly writeUse: Database.Statement<[{ id: string; at: number }]>;
  private readonly bump: Database.Statement<[]>;
  private readonly readRevision: Database.Statement<[], string>;

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number = Date.now,
  ) {
    super();
    this.insert = db.prepare(`
      INSERT INTO client_keys (id, name, prefix, secret_hash, models, rpm, tpm, concurrency, budget_tokens,
                               budget_period, expires_at, created_at)
      VALUES (@id, @name, @prefix, @secretHash, @models, @rpm, @tpm, @concurrency, @budgetTokens, @budgetPeriod,
              @expiresAt, @now)`);
    this.selectAll = db.prepare('SELECT * FROM client_keys ORDER BY created_at, rowid');
    this.selectById = db.prepare('SELECT * FROM client_keys WHERE id = ?');
    this.selectByName = db.prepare(
      'SELECT * FROM client_keys WHERE name = ? ORDER BY revoked_at IS NOT NULL, revoked_at DESC LIMIT 1',
    );
    this.activeByName = db.prepare('SELECT * FROM client_keys WHERE name = ? AND revoked_at IS NULL');
    this.writeLimits = db.prepare(`
      UPDATE client_keys SET models = @models, rpm = @rpm, tpm = @tpm, concurrency = @concurrency,
             budget_tokens = @budgetTokens, budget_period = @budgetPeriod, expires_at = @expiresAt
      WHERE id = @id`);
    this.writeRevoked = db.prepare('UPDATE client_keys SET revoked_at = coalesce(revoked_at, @now) WHERE id = @id');
    this.writeUse = db.prepare(
      'UPDATE client_keys SET last_used_at = @at WHERE id = @id AND (last_used_at IS NULL OR last_used_at < @at)',
    );
    this.bump = db.prepare(`UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = ${REVISION}`);
    this.readRevision = db.prepare<[], string>(`SELECT value FROM meta WHERE key = ${REVISION}`).pluck();
  }

  async create(key: NewClientKey): Promise<ClientKey> {
    const id = newKeyId();
    return this.db
      .transaction(() => {
        if (this.activeByName.get(key.name)) throw new ClientKeyNameTaken(key.name);
        this.insert.run({
          id,
          name: key.name,
          prefix: key.prefix,
          secretHash: key.secretHash,
          now: this.now(),
          ...toColumns(key),
        });
        this.bump.run();
        return toClientKey(this.selectById.get(id)!);
      })
      .immediate();
  }

  async list(): Promise<ClientKey[]> {
    return this.selectAll.all().map(toClientKey);
  }

  async find(idOrName: string): Promise<ClientKey | undefined> {
    const row = this.lookup(idOrName);
    return row && toClientKey(row);
  }

  async update(idOrName: string, changes: ClientKeyChanges): Promise<ClientKey | undefined> {
    return this.db
      .transaction(() => {
        const row = this.lookup(idOrName);
        if (!row) return undefined;
        const current = toClientKey(row);
        const next = {
          models: changes.models ?? current.models,
          rpm: pick(changes.rpm, current.rpm),
          tpm: pick(changes.tpm, current.tpm),
          concurrency: pick(changes.concurrency, current.concurrency),
          budget: pick(changes.budget, current.budget),
          expiresAt: pick(changes.expiresAt, current.expiresAt),
        };
        this.writeLimits.run({ id: row.id, ...toColumns(next) });
        this.bump.run();
        return toClientKey(this.selectById.get(row.id)!);
      })
      .immediate();
  }

  async revoke(idOrName: string): Promise<ClientKey | undefined> {
    return this.db
      .transaction(() => {
        const row = this.lookup(idOrName);
        if (!row) return undefined;
        if (row.revoked_at === null) {
          this.writeRevoked.run({ id: row.id, now: this.now() });
          this.bump.run();
        }
        return toClientKey(this.selectById.get(row.id)!);
      })
      .immediate();
  }

  async recordUse(lastUsed: ReadonlyMap<string, number>): Promise<void> {
    if (lastUsed.size === 0) return;
    // One transaction for the batch: one fsync, however many keys were used.
    this.db
      .transaction(() => {
        for (const [id, at] of lastUsed) this.writeUse.run({ id, at: Math.floor(at) });
      })
      .immediate();
  }

  async revision(): Promise<number> {
    return Number(this.readRevision.get() ?? 0);
  }

  private lookup(idOrName: string): Row | undefined {
    return this.selectById.get(idOrName) ?? this.selectByName.get(idOrName);
  }
}

function pick<T>(change: T | null | undefined, current: T | undefined): T | undefined {
  if (change === null) return undefined;
  return change === undefined ? current : change;
}

function toColumns(limits: Partial<ClientKeyLimits>): Limits {
  return {
    models: JSON.stringify(limits.models ?? []),
    rpm: limits.rpm ?? null,
    tpm: limits.tpm ?? null,
    concurrency: limits.concurrency ?? null,
    budgetTokens: limits.budget?.tokens ?? null,
    budgetPeriod: limits.budget?.per ?? null,
    expiresAt: limits.expiresAt === undefined ? null : Math.floor(limits.expiresAt),
  };
}

function toClientKey(row: Row): ClientKey {
  const key: ClientKey = {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    secretHash: row.secret_hash,
    models: JSON.parse(row.models) as string[],
    createdAt: row.created_at,
  };
  if (row.rpm !== null) key.rpm = row.rpm;
  if (row.tpm !== null) key.tpm = row.tpm;
  if (row.concurrency !== null) key.concurrency = row.concurrency;
  if (row.budget_tokens !== null && row.budget_period !== null) key.budget = { tokens: row.budget_tokens, per: row.budget_period };
  if (row.expires_at !== null) key.expiresAt = row.expires_at;
  if (row.revoked_at !== null) key.revokedAt = row.revoked_at;
  if (row.last_used_at !== null) key.lastUsedAt = row.last_used_at;
  return key;
}
