// The words a usage query is asked in, shared by `byokey usage` and the admin API: a window
// (`--since 24h`, `?since=7d`, or an ISO date) and a grouping (key, model, account, instance).
import { USAGE_GROUPINGS, type UsageGrouping } from '../store/usage-store';

export const DEFAULT_SINCE = '24h';
export const DEFAULT_GROUPING: UsageGrouping = 'model';

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** A query word that means nothing; its message says what would. */
export class UsageQueryError extends Error {}

/** The start of the window: `30m`, `24h`, `7d`, `2w` back from now, or an ISO 8601 date/time. */
export function parseSince(text: string, now: number): number {
  const relative = /^(\d+)\s*([mhdw])$/i.exec(text.trim());
  if (relative) return now - Number(relative[1]) * UNIT_MS[relative[2].toLowerCase()];
  if (/^\d{4}-\d{2}-\d{2}/.test(text.trim())) {
    const at = Date.parse(text.trim());
    if (!Number.isNaN(at)) return at;
  }
  throw new UsageQueryError(`"${text}" is not a window start: use a duration such as 30m, 24h, 7d or 2w, or an ISO date such as 2026-12-01.`);
}

export function parseGrouping(text: string): UsageGrouping {
  const grouping = text.trim().toLowerCase();
  if ((USAGE_GROUPINGS as readonly string[]).includes(grouping)) return grouping as UsageGrouping;
  throw new UsageQueryError(`"${text}" is not a grouping: use one of ${USAGE_GROUPINGS.join(', ')}.`);
}
