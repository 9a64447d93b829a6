// The embedded QuotaSnapshotStore: the quota_snapshots table (migration 6) on the shared
// better-sqlite3 connection. A save is one transaction however many accounts it carries.
import type Database from 'better-sqlite3';
import { newestPerAccount, QuotaSnapshotStore, snapshotOf } from '../quota-snapshot-store';
import type { RateLimitSnapshot } from '../rate-limit-snapshot';

interface SnapshotRow {
  provider: string;
  account_id: string;
  headers: string;
  frame: string | null;
  captured_at: number;
}

interface NewSnapshotRow {
  provider: string;
  accountId: string;
  headers: string;
  frame: string | null;
  capturedAt: number;
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
  upsert: `
    INSERT INTO quota_snapshots (provider, account_id, headers, frame, captured_at)
    VALUES (@provider, @accountId, @headers, @frame, @capturedAt)
    ON CONFLICT (provider, account_id) DO UPDATE
       SET headers = excluded.headers, frame = excluded.frame, captured_at = excluded.captured_at
     WHERE excluded.captured_at >= quota_snapshots.captured_at`,
} as const;

export class SqliteQuotaSnapshotStore extends QuotaSnapshotStore {
  private readonly selectAll: Database.Statement<[], SnapshotRow>;
  private readonly saveAll: (rows: readonly NewSnapshotRow[]) => void;

  constructor(db: Database.Database) {
    super();
    this.selectAll = db.prepare<[], SnapshotRow>(SQL.list);
    const upsert = db.prepare<[NewSnapshotRow]>(SQL.upsert);
    this.saveAll = db.transaction((rows: readonly NewSnapshotRow[]) => {
      for (const row of rows) upsert.run(row);
    });
  }

  async list(): Promise<RateLimitSnapshot[]> {
    return this.selectAll.all().map((row) =>
      snapshotOf({
        provider: row.provider,
        accountId: row.account_id,
        headers: JSON.parse(row.headers),
        frame: row.frame === null ? undefined : JSON.parse(row.frame),
        capturedAt: row.captured_at,
      }),
    );
  }

  async save(snapshots: readonly RateLimitSnapshot[]): Promise<void> {
    this.saveAll(
      newestPerAccount(snapshots).map((s) => ({
        provider: s.provider,
        accountId: s.accountId,
        headers: JSON.stringify(s.headers),
        frame: s.frame === undefined ? null : JSON.stringify(s.frame),
        capturedAt: Math.floor(s.capturedAt),
      })),
    );
  }
}
