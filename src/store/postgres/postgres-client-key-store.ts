// The ClientKeyStore on the shared PostgreSQL database. Every change bumps
// meta.client_keys_revision in the same transaction, which every gateway polls (twice a second,
// a prepared statement) to learn when to reload its keys. A name is unique among keys not revoked
// by a partial unique index, so two gateways creating the same name at once cannot both win.
import type { PoolClient } from 'pg';
import type { BudgetPeriod, ClientKey, ClientKeyChanges, ClientKeyLimits, NewClientKey } from '../client-key';
import { newKeyId } from '../client-key-secret';
import { ClientKeyNameTaken, ClientKeyStore } from '../client-key-store';
import type { PostgresDatabase } from './postgres-database';

interface Row {
  id: string;
  name: string;
  prefix: string;
  secret_hash: string;
  models: string[];
  rpm: number | null;
  tpm: number | null;
  concurrency: number | null;
  budget_tokens: number | null;
  budget_period: BudgetPeriod | null;
  expires_at: number | null;
  created_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
}

const COLUMNS =
  'id, name, prefix, secret_hash, models, rpm, tpm, concurrency, budget_tokens, budget_period, expires_at, ' +
  'created_at, revoked_at, last_used_at';

/** By id, else by name: the key not revoked, else the one revoked last. One round trip. */
const LOOKUP = `
  SELECT * FROM (
    SELECT ${COLUMNS}, 0 AS preference FROM client_keys WHERE id = $1
    UNION ALL
    (SELECT ${COLUMNS}, 1 AS preference FROM client_keys WHERE name = $1
     ORDER BY revoked_at IS NOT NULL, revoked_at DESC LIMIT 1)
  ) AS found
  ORDER BY preference
  LIMIT 1`;

const SQL = {
  insert: `
    INSERT INTO client_keys (id, name, prefix, secret_hash, models, rpm, tpm, concurrency, budget_tokens, budget_period,
                             expires_at, created_at)
    VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10, $11, $12)
    RETURNING ${COLUMNS}`,
  list: `SELECT ${COLUMNS} FROM client_keys ORDER BY created_at, seq`,
  lookup: LOOKUP,
  lockRow: 'SELECT 1 FROM client_keys WHERE id = $1 FOR UPDATE',
  writeLimits: `
    UPDATE client_keys SET models = $2::jsonb, rpm = $3, tpm = $4, concurrency = $5, budget_tokens = $6,
           budget_period = $7, expires_at = $8
    WHERE id = $1
    RETURNING ${COLUMNS}`,
  revoke: `UPDATE client_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING ${COLUMNS}`,
  byId: `SELECT ${COLUMNS} FROM client_keys WHERE id = $1`,
  // One statement for the whole batch, however many keys were used.
  recordUse: `
    UPDATE client_keys AS k SET last_used_at = u.at
    FROM unnest($1::text[], $2::bigint[]) AS u(id, at)
    WHERE k.id = u.id AND (k.last_used_at IS NULL OR k.last_used_at < u.at)`,
  bump: `UPDATE meta SET value = (value::bigint + 1)::text WHERE key = 'client_keys_revision'`,
  revision: `SELECT value::bigint AS revision FROM meta WHERE key = 'client_keys_revision'`,
} as const;

/** PostgreSQL's unique_violation. */
const UNIQUE_VIOLATION = '23505';

export class PostgresClientKeyStore extends ClientKeyStore {
  constructor(
    private readonly database: PostgresDatabase,
    private readonly now: () => number = database.now,
  ) {
    super();
  }

  async create(key: NewClientKey): Promise<ClientKey> {
    const limits = toColumns(key);
    try {
      const row = await this.database.transaction(async (client) => {
        const { rows } = await client.query<Row>(SQL.insert, [
          newKeyId(),
          key.name,
          key.prefix,
          key.secretHash,
          ...limits,
          Math.floor(this.now()),
        ]);
        await client.query(SQL.bump);
        return rows[0];
      });
      return toClientKey(row);
    } catch (error) {
      if (isUniqueViolation(error, 'client_keys_active_name')) throw new ClientKeyNameTaken(key.name);
      throw error;
    }
  }

  async list(): Promise<ClientKey[]> {
    const { rows } = await this.database.query<Row>(SQL.list, [], 'byokey_client_keys_list');
    return rows.map(toClientKey);
  }

  async find(idOrName: string): Promise<ClientKey | undefined> {
    const { rows } = await this.database.query<Row>(SQL.lookup, [idOrName], 'byokey_client_keys_lookup');
    return rows[0] && toClientKey(rows[0]);
  }

  async update(idOrName: string, changes: ClientKeyChanges): Promise<ClientKey | undefined> {
    return this.database.transaction(async (client) => {
      const current = await lockedLookup(client, idOrName);
      if (!current) return undefined;
      const next: Partial<ClientKeyLimits> = {
        models: changes.models ?? current.models,
        rpm: pick(changes.rpm, current.rpm),
        tpm: pick(changes.tpm, current.tpm),
        concurrency: pick(changes.concurrency, current.concurrency),
        budget: pick(changes.budget, current.budget),
        expiresAt: pick(changes.expiresAt, current.expiresAt),
      };
      const { rows } = await client.query<Row>(SQL.writeLimits, [current.id, ...toColumns(next)]);
      await client.query(SQL.bump);
      return toClientKey(rows[0]);
    });
  }

  async revoke(idOrName: string): Promise<ClientKey | undefined> {
    return this.database.transaction(async (client) => {
      const current = await lockedLookup(client, idOrName);
      if (!current) return undefined;
      if (current.revokedAt !== undefined) return current;
      const { rows } = await client.query<Row>(SQL.revoke, [current.id, Math.floor(this.now())]);
      await client.query(SQL.bump);
      return toClientKey(rows[0]);
    });
  }

  async recordUse(lastUsed: ReadonlyMap<string, number>): Promise<void> {
    if (lastUsed.size === 0) return;
    const ids: string[] = [];
    const times: number[] = [];
    for (const [id, at] of lastUsed) {
      ids.push(id);
      times.push(Math.floor(at));
    }
    await this.database.query(SQL.recordUse, [ids, times], 'byokey_client_keys_record_use');
  }

  async revision(): Promise<number> {
    const { rows } = await this.database.query<{ revision: number }>(SQL.revision, [], 'byokey_client_keys_revision');
    return rows[0]?.revision ?? 0;
  }
}

/**
 * The key, read again under a row lock: a concurrent update or revoke of the same key waits for
 * this transaction, so neither works from a stale read.
 */
async function lockedLookup(client: PoolClient, idOrName: string): Promise<ClientKey | undefined> {
  const found = await client.query<Row>(SQL.lookup, [idOrName]);
  if (found.rows.length === 0) return undefined;
  await client.query(SQL.lockRow, [found.rows[0].id]);
  const { rows } = await client.query<Row>(SQL.byId, [found.rows[0].id]);
  return rows[0] && toClientKey(rows[0]);
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const record = error as { code?: unknown; constraint?: unknown };
  return record.code === UNIQUE_VIOLATION && record.constraint === constraint;
}

function pick<T>(change: T | null | undefined, current: T | undefined): T | undefined {
  if (change === null) return undefined;
  return change === undefined ? current : change;
}

/** models, rpm, tpm, concurrency, budget_tokens, budget_period, expires_at: parameters in column order. */
function toColumns(limits: Partial<ClientKeyLimits>): unknown[] {
  return [
    JSON.stringify(limits.models ?? []),
    limits.rpm ?? null,
    limits.tpm ?? null,
    limits.concurrency ?? null,
    limits.budget?.tokens ?? null,
    limits.budget?.per ?? null,
    limits.expiresAt === undefined ? null : Math.floor(limits.expiresAt),
  ];
}

function toClientKey(row: Row): ClientKey {
  const key: ClientKey = {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    secretHash: row.secret_hash,
    models: row.models,
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
