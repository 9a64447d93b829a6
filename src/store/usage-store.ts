// The storage contract for usage records: written in batches by the usage writer, read back as
// aggregates over a time window or as the most recent records, page by page, and pruned after
// the retention period. The embedded driver is SQLite (sqlite/); a PostgreSQL one joins for
// multi-instance deployments and must pass the same contract suite (usage-store.contract.ts).
// Abstract class rather than interface so it can be a DI token.
import type { TokenCounts, UsageRecord } from './usage-record';

/** What records are grouped by: the client key, the model served, the credential, the instance. */
export type UsageGrouping = 'key' | 'model' | 'account' | 'instance';

export const USAGE_GROUPINGS: readonly UsageGrouping[] = ['key', 'model', 'account', 'instance'];

export interface UsageWindow {
  /** Records of requests that arrived at or after this time (ms since epoch)… */
  since: number;
  /** …and before this one. */
  until: number;
}

/** The requests of one group within a window. */
export interface UsageAggregate {
  /**
   * The group's value: the key's id, the model served (else the model asked for), the
   * credential as `instance/label`, the instance. Null for records without one (no key on an
   * open gateway; a request refused before any upstream was chosen).
   */
  group: string | null;
  /** The key's name, when grouping by key. */
  name?: string;
  requests: number;
  /** Requests that failed: an error status, or an error inside a stream. */
  errors: number;
  tokens: TokenCounts;
  /** Median time to first byte over the requests that had one. */
  p50TtfbMs?: number;
  /** Median request duration. */
  p50DurationMs?: number;
}

/** A stored record and its id, which orders records by when they were stored. */
export interface StoredUsageRecord extends UsageRecord {
  id: number;
}

export interface UsagePage {
  /** Newest first. */
  records: StoredUsageRecord[];
  /** Pass as `before` for the next page; absent on the last one. */
  nextBefore?: number;
}

export abstract class UsageStore {
  /** Stores the records all together (one transaction): all of them or none. */
  abstract insertBatch(records: readonly UsageRecord[]): Promise<void>;

  /** Totals per group over the window, the busiest group first. */
  abstract aggregate(window: UsageWindow, by: UsageGrouping): Promise<UsageAggregate[]>;

  /** The newest records (at most `limit`), or the newest stored before the record `before`. */
  abstract recent(page: { limit: number; before?: number }): Promise<UsagePage>;

  /** Deletes the records of requests that arrived before `olderThan`; returns how many. */
  abstract prune(olderThan: number): Promise<number>;
}
