// The quota windows an upstream last reported for an account, read out of its rate-limit
// snapshot (store/rate-limit-snapshots.ts) for the admin API: Codex's primary (5 h) and secondary
// (7 d) windows — used percent, window length, reset — from x-codex-* headers or a
// codex.rate_limits frame, and Anthropic's unified subscription limits (status and reset per
// window). Wire names in reference/wire-protocols.md §1.8 and the Anthropic rate-limit section.
import type { RateLimitSnapshot } from '../../store/rate-limit-snapshot';
import { isObject } from '../../protocol/json-object';
import { premiumQuota } from '../../routing/quota';

export interface QuotaWindow {
  /** `primary` / `secondary` (Codex: 5 h and 7 d), Anthropic's `unified`, `5h`, `7d`, `7d_oi`, or Copilot's `premium`. */
  window: string;
  usedPercent?: number;
  windowMinutes?: number;
  /** allowed | allowed_warning | rejected (Anthropic); unlimited (Copilot). */
  status?: string;
  /** When the window resets (ms since epoch). */
  resetsAt?: number;
}

export interface QuotaReport {
  capturedAt: number;
  windows: QuotaWindow[];
}

export function quotaWindows(snapshot: RateLimitSnapshot): QuotaReport {
  const windows = [...codexWindows(snapshot), ...anthropicWindows(snapshot.headers), ...copilotWindows(snapshot)];
  return { capturedAt: snapshot.capturedAt, windows };
}

function codexWindows(snapshot: RateLimitSnapshot): QuotaWindow[] {
  const h = snapshot.headers;
  const fromHeaders = (['primary', 'secondary'] as const).flatMap((name): QuotaWindow[] => {
    const prefix = `x-codex-${name}-`;
    const usedPercent = number(h[`${prefix}used-percent`]);
    if (usedPercent === undefined) return [];
    const resetAt = number(h[`${prefix}reset-at`]);
    const resetAfter = number(h[`${prefix}reset-after-seconds`]);
    return [
      {
        window: name,
        usedPercent,
        windowMinutes: number(h[`${prefix}window-minutes`]),
        resetsAt: resetAt !== undefined ? resetAt * 1000 : resetAfter !== undefined ? snapshot.capturedAt + resetAfter * 1000 : undefined,
      },
    ];
  });
  if (fromHeaders.length > 0) return fromHeaders;
  const limits = record(snapshot.frame?.rate_limits);
  return (['primary', 'secondary'] as const).flatMap((name): QuotaWindow[] => {
    const window = record(limits?.[name]);
    const usedPercent = number(window?.used_percent);
    if (usedPercent === undefined) return [];
    const resetAt = number(window?.reset_at) ?? number(window?.resets_at);
    return [{ window: name, usedPercent, windowMinutes: number(window?.window_minutes), resetsAt: resetAt === undefined ? undefined : resetAt * 1000 }];
  });
}

/** Copilot's monthly premium-request allowance: `premium`, used percent or `unlimited`. */
function copilotWindows(snapshot: RateLimitSnapshot): QuotaWindow[] {
  const premium = premiumQuota(snapshot.frame);
  if (!premium) return [];
  if (premium.unlimited) return [{ window: 'premium', status: 'unlimited' }];
  if (premium.percentRemaining === undefined) return [];
  return [{ window: 'premium', usedPercent: Math.round((100 - premium.percentRemaining) * 10) / 10, resetsAt: premium.resetsAt }];
}

function anthropicWindows(h: Record<string, string>): QuotaWindow[] {
  const base = 'anthropic-ratelimit-unified';
  return [
    { window: 'unified', status: h[`${base}-status`], reset: h[`${base}-reset`] },
    ...['5h', '7d', '7d_oi'].map((name) => ({ window: name, status: h[`${base}-${name}-status`], reset: h[`${base}-${name}-reset`] })),
  ]
    .filter((w) => w.status !== undefined || w.reset !== undefined)
    .map((w) => ({ window: w.window, status: w.status, resetsAt: anthropicReset(w.reset) }));
}

/** Unix seconds or an RFC 3339 timestamp. */
function anthropicReset(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = number(value);
  if (seconds !== undefined) return seconds * 1000;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
}

function number(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return isObject(value) ? value : undefined;
}
