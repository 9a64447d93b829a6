// How much of its quota window an account has used, as the upstream last reported it (0–1):
// Codex's x-codex-{primary,secondary}-used-percent headers or codex.rate_limits frames,
// Anthropic's unified 5h/7d window status, Copilot's premium-request allowance. Routing picks
// accounts near their limit last.
import { isObject } from '../protocol/json-object';
import type { RateLimitSnapshot } from '../store/rate-limit-snapshot';

export function quotaUsed(snapshot: RateLimitSnapshot): number | undefined {
  const used: number[] = [];
  const h = snapshot.headers;
  for (const name of ['x-codex-primary-used-percent', 'x-codex-secondary-used-percent']) {
    const value = Number(h[name]);
    if (h[name] !== undefined && Number.isFinite(value)) used.push(value / 100);
  }
  const limits = (snapshot.frame?.rate_limits ?? undefined) as Record<string, { used_percent?: unknown } | undefined> | undefined;
  for (const window of [limits?.primary, limits?.secondary]) {
    if (typeof window?.used_percent === 'number') used.push(window.used_percent / 100);
  }
  for (const name of ['anthropic-ratelimit-unified-5h-status', 'anthropic-ratelimit-unified-7d-status', 'anthropic-ratelimit-unified-status']) {
    const status = h[name];
    if (status === 'rejected') used.push(1);
    else if (status === 'allowed_warning') used.push(0.9);
  }
  const premium = premiumQuota(snapshot.frame);
  if (premium?.unlimited) used.push(0);
  else if (premium?.percentRemaining !== undefined) used.push(Math.min(1, Math.max(0, 1 - premium.percentRemaining / 100)));
  return used.length > 0 ? Math.max(...used) : undefined;
}

/** The frame a Copilot account's quota is kept as (providers/copilot/copilot-quota.ts). */
export const COPILOT_QUOTA_FRAME = 'copilot.quota';

export interface PremiumQuota {
  unlimited: boolean;
  percentRemaining?: number;
  /** When the monthly allowance resets (ms), where GitHub says. */
  resetsAt?: number;
}

/**
 * Copilot's premium-interactions allowance (`quota_snapshots.premium_interactions`:
 * `percent_remaining`, `unlimited`; reference/wire-protocols.md §5), if the frame is one.
 */
export function premiumQuota(frame: Record<string, unknown> | undefined): PremiumQuota | undefined {
  if (frame?.type !== COPILOT_QUOTA_FRAME || !isObject(frame.quota_snapshots)) return undefined;
  const premium = frame.quota_snapshots.premium_interactions;
  if (!isObject(premium)) return undefined;
  const reset = typeof frame.quota_reset_date === 'string' ? Date.parse(frame.quota_reset_date) : NaN;
  const remaining = premium.percent_remaining;
  return {
    unlimited: premium.unlimited === true,
    percentRemaining: typeof remaining === 'number' && Number.isFinite(remaining) ? remaining : undefined,
    resetsAt: Number.isNaN(reset) ? undefined : reset,
  };
}
