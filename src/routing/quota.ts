// How much of its quota window an account has used, as the upstream last reported it (0–1):
// Codex's x-codex-{primary,secondary}-used-percent headers or codex.rate_limits frames,
// Anthropic's unified 5h/7d window status. Routing picks accounts near their limit last.
import type { RateLimitSnapshot } from '../store/rate-limit-snapshots';

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
  return used.length > 0 ? Math.max(...used) : undefined;
}
