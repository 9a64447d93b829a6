// The rate-limit/quota windows each account last reported, for `byokey status`. The gateway keeps
// them in memory, and in Redis when `redis:` is configured (store/rate-limit-snapshots.ts); only
// the latter outlives the gateway process, so without `redis:` there is nothing to read here.
import type { RedisSettings } from '../config/gateway-config';
import { quotaWindows, type QuotaWindow } from '../admin/providers/quota-windows';
import { RateLimitSnapshots } from '../store/rate-limit-snapshots';
import { RedisQuotaSnapshotChannel } from '../store/shared/redis-quota-snapshot-channel';
import { SharedRedis } from '../store/shared/shared-redis';
import { relativeTime } from './format';

/** How long `status` waits for Redis before going on without the windows. */
const REDIS_WAIT_MS = 2000;

export type QuotaReading =
  | { kind: 'read'; byAccount: Map<string, string> }
  | { kind: 'unavailable'; why: string };

/** Each account's windows as one line (`primary 42% (5 h, resets in 2 h)`), keyed `provider/account`. */
export async function readQuotaWindows(redis: RedisSettings | undefined): Promise<QuotaReading> {
  if (!redis) return { kind: 'unavailable', why: 'kept in the running gateway only (configure redis: to see them here)' };
  const shared = new SharedRedis(redis);
  const channel = new RedisQuotaSnapshotChannel(shared);
  try {
    if (!(await shared.ready(REDIS_WAIT_MS))) return { kind: 'unavailable', why: `Redis at ${redactUrl(redis.url)} did not answer` };
    const snapshots = new RateLimitSnapshots(channel);
    await snapshots.onModuleInit();
    const byAccount = new Map<string, string>();
    for (const snapshot of snapshots.all()) {
      const report = quotaWindows(snapshot);
      if (report.windows.length > 0) byAccount.set(`${snapshot.provider}/${snapshot.accountId}`, report.windows.map(describeWindow).join(', '));
    }
    return { kind: 'read', byAccount };
  } finally {
    await channel.onApplicationShutdown();
    await shared.close();
  }
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
