// The rate-limit/quota windows each account last reported, for `byokey status`. The gateway keeps
// them in memory and, a few seconds after they change and at shutdown, in Redis when `redis:` is
// configured, else in its store (store/rate-limit-snapshots.ts): read from the same place here.
import type { RedisSettings } from '../config/gateway-config';
import { quotaWindows, type QuotaWindow } from '../admin/providers/quota-windows';
import type { QuotaSnapshotStore } from '../store/quota-snapshot-store';
import { RateLimitSnapshots } from '../store/rate-limit-snapshots';
import { type RateLimitSnapshot } from '../store/rate-limit-snapshot';
import { RedisQuotaSnapshotChannel } from '../store/shared/redis-quota-snapshot-channel';
import { SharedRedis } from '../store/shared/shared-redis';
import { relativeTime } from './format';

/** How long `status` waits for Redis before going on without the windows. */
const REDIS_WAIT_MS = 2000;

export type QuotaReading =
  | { kind: 'read'; byAccount: Map<string, string> }
  | { kind: 'unavailable'; why: string };

/**
 * Each account's windows as one line (`primary 42% (5 h, resets in 2 h)`), keyed
 * `provider/account`: from Redis when `redis:` is configured, else from the store.
 */
export async function readQuotaWindows(redis: RedisSettings | undefined, stored: Pick<QuotaSnapshotStore, 'list'>): Promise<QuotaReading> {
  if (!redis) return { kind: 'read', byAccount: describeAll(await stored.list()) };
  const shared = new SharedRedis(redis);
  const channel = new RedisQuotaSnapshotChannel(shared);
  try {
    if (!(await shared.ready(REDIS_WAIT_MS))) return { kind: 'unavailable', why: `Redis at ${redactUrl(redis.url)} did not answer` };
    const snapshots = new RateLimitSnapshots(channel);
    await snapshots.onModuleInit();
    return { kind: 'read', byAccount: describeAll(snapshots.all()) };
  } finally {
    await channel.onApplicationShutdown();
    await shared.close();
  }
}

function describeAll(snapshots: readonly RateLimitSnapshot[]): Map<string, string> {
  const byAccount = new Map<string, string>();
  for (const snapshot of snapshots) {
    const report = quotaWindows(snapshot);
    if (report.windows.length > 0) byAccount.set(`${snapshot.provider}/${snapshot.accountId}`, report.windows.map(describeWindow).join(', '));
  }
  return byAccount;
}

function describeWindow(window: QuotaWindow): string {
  const facts = [
    window.windowMinutes !== undefined ? minutes(window.windowMinutes) : undefined,
    window.status,
    window.resetsAt !== undefined ? `resets ${relativeTime(window.resetsAt)}` : undefined,
  ].filter((f): f is string => f !== undefined);
  const used = window.usedPercent !== undefined ? ` ${window.usedPercent}%` : '';
  return `${window.window}${used}${facts.length > 0 ? ` (${facts.join(', ')})` : ''}`;
}

function minutes(total: number): string {
  if (total % 1440 === 0) return `${total / 1440} d`;
  if (total % 60 === 0) return `${total / 60} h`;
  return `${total} min`;
}

/** A Redis URL without its password, for a message. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the configured URL';
  }
}
