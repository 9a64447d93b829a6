// The storage contract for the rate-limit windows each account last reported (one snapshot per
// account, store/rate-limit-snapshots.ts), kept in the configured store when there is no Redis
// so that a restarted gateway and `byokey status` know them. The embedded driver is SQLite
// (sqlite/); PostgreSQL keeps them for gateways sharing a database without Redis. Abstract class
// rather than interface so it can be a DI token.
import { snapshotKey, type RateLimitSnapshot } from './rate-limit-snapshot';

export abstract class QuotaSnapshotStore {
  /**
   * The snapshot of each stored account, captured since the account was stored: one of a
   * removed account, or of an earlier account stored under the same name, is left out.
   */
  abstract list(): Promise<RateLimitSnapshot[]>;

  /**
   * Keeps each as its account's snapshot, all at once, unless the stored one was captured later
   * (another gateway's, on a shared database). Of several for one account, the newest counts.
   */
  abstract save(snapshots: readonly RateLimitSnapshot[]): Promise<void>;
}

/** The newest snapshot of each account among `snapshots`: one row per account in one statement. */
export function newestPerAccount(snapshots: readonly RateLimitSnapshot[]): RateLimitSnapshot[] {
  const newest = new Map<string, RateLimitSnapshot>();
  for (const snapshot of snapshots) {
    const key = snapshotKey(snapshot.provider, snapshot.accountId);
    const kept = newest.get(key);
    if (!kept || kept.capturedAt <= snapshot.capturedAt) newest.set(key, snapshot);
  }
  return [...newest.values()];
}

/** A stored snapshot's parts, read back from the JSON the store keeps. */
export function snapshotOf(row: {
  provider: string;
  accountId: string;
  headers: unknown;
  frame: unknown;
  capturedAt: number;
}): RateLimitSnapshot {
  const headers: Record<string, string> = {};
  if (isObject(row.headers)) {
    for (const [name, value] of Object.entries(row.headers)) if (typeof value === 'string') headers[name] = value;
  }
  return {
    provider: row.provider,
    accountId: row.accountId,
    headers,
    ...(isObject(row.frame) ? { frame: row.frame } : {}),
    capturedAt: row.capturedAt,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
