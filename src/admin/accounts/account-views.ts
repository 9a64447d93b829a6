// The JSON shapes of the admin accounts routes. An account is shown by name, label, status and
// its non-secret claims; its tokens never leave the store.
import type { Account } from '../../store/account';
import { describeProxySetting } from '../../upstream/outbound-proxy';
import type { RateLimitSnapshot } from '../../store/rate-limit-snapshot';
import { quotaWindows } from '../providers/quota-windows';

export interface AccountView {
  provider: string;
  account_id: string;
  label?: string;
  is_default: boolean;
  status: Account['status'];
  status_reason?: string;
  /** When the access token expires (it is refreshed before); absent when it does not expire. */
  expires_at?: string;
  /** Non-secret facts of the login (plan, account ids, API host). */
  claims: Record<string, unknown>;
  created_at: string;
  refreshed_at?: string;
  updated_at: string;
  /** The account's own proxy, without its credentials (`direct` for none); absent: the instance's applies. */
  proxy?: string;
  quota?: { captured_at: string; windows: Array<Record<string, unknown>> };
}

export function accountView(account: Account, snapshot?: RateLimitSnapshot): AccountView {
  const view: AccountView = {
    provider: account.provider,
    account_id: account.accountId,
    is_default: account.isDefault,
    status: account.status,
    claims: account.claims,
    created_at: iso(account.createdAt),
    updated_at: iso(account.updatedAt),
  };
  if (account.label) view.label = account.label;
  if (account.statusReason) view.status_reason = account.statusReason;
  if (account.expiresAt !== undefined) view.expires_at = iso(account.expiresAt);
  if (account.refreshedAt !== undefined) view.refreshed_at = iso(account.refreshedAt);
  if (account.tokens.proxyUrl !== undefined) view.proxy = describeProxySetting(account.tokens.proxyUrl);
  if (snapshot) {
    const report = quotaWindows(snapshot);
    if (report.windows.length > 0) {
      view.quota = {
        captured_at: iso(report.capturedAt),
        windows: report.windows.map((w) => ({
          window: w.window,
          used_percent: w.usedPercent,
          window_minutes: w.windowMinutes,
          status: w.status,
          resets_at: w.resetsAt === undefined ? undefined : iso(w.resetsAt),
        })),
      };
    }
  }
  return view;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
