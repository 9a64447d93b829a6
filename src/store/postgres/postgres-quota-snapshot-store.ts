// The QuotaSnapshotStore on the shared PostgreSQL database: the quota_snapshots table
// (migration 5). A save is one statement however many accounts it carries, so several gateways
// writing at once each keep the newer capture per account.
import { newestPerAccount, QuotaSnapshotStore, snapshotOf } from '../quota-snapshot-store';
import type { RateLimitSnapshot } from '../rate-limit-snapshot';
import type { PostgresDatabase } from './postgres-database';

interface SnapshotRow {
  provider: string;
  account_id: string;
  headers: unknown;
  frame: unknown;
  captured_at: number;
}

const SQL = {
  // Joined with the accounts, so a removed account's row (or one from before it was stored
  // again) is never read back.
  list: `
    SELECT q.provider, q.account_id, q.headers, q.frame, q.captured_at
      FROM quota_snapshots q
      JOIN accounts a ON a.provider = q.provider AND a.account_id = q.account_id
     WHERE q.captured_at >= a.created_at
     ORDER BY q.provider, q.account_id`,
  // The batch goes as one JSON array parameter.
  upsert: `
    INSERT INTO quota_snapshots (provider, account_id, headers, frame, captured_at)
    SELECT provider, account_id, headers, frame, captured_at
      FROM jsonb_to_recordset($1::jsonb) AS r(provider text, account_id text, headers jsonb, frame jsonb, captured_at bigint)
    ON CONFLICT (provider, account_id) DO UPDATE
       SET headers = EXCLUDED.headers, frame = EXCLUDED.frame, captured_at = EXCLUDED.captured_at
     WHERE EXCLUDED.captured_at >= quota_snapshots.captured_at`,
} as const;

export class PostgresQuotaSnapshotStore extends QuotaSnapshotStore {
  constructor(private readonly database: PostgresDatabase) {
    super();
  }

  async list(): Promise<RateLimitSnapshot[]> {
    const { rows } = await this.database.query<SnapshotRow>(SQL.list);
    return rows.map((row) =>
      snapshotOf({ provider: row.provider, accountId: row.account_id, headers: row.headers, frame: row.frame, capturedAt: row.captured_at }),
    );
  }

  async save(snapshots: readonly RateLimitSnapshot[]): Promise<void> {
    if (snapshots.length === 0) return;
    const rows = newestPerAccount(snapshots).map((s) => ({
      provider: s.provider,
      account_id: s.accountId,
      headers: s.headers,
      frame: s.frame ?? null,
      captured_at: Math.floor(s.capturedAt),
    }));
    await this.database.query(SQL.upsert, [JSON.stringify(rows)], 'quota-snapshots-upsert');
  }
}
