// One account's latest rate-limit state as an upstream reported it, and its key: the record the
// snapshots service keeps, the channels carry between instances and the stores keep.
export interface RateLimitSnapshot {
  provider: string;
  accountId: string;
  /** Rate-limit response headers, lower-cased. */
  headers: Record<string, string>;
  /** The last rate-limit frame (WebSocket), as sent. */
  frame?: Record<string, unknown>;
  capturedAt: number;
}

/** The key of an account's snapshot, here and in every channel. */
export function snapshotKey(provider: string, accountId: string): string {
  return `${provider}\u0000${accountId}`;
}
