// The JSON shapes of the admin accounts routes. An account is shown by name, label, status and
// its non-secret claims; its tokens never leave the store.
import type { Account } from '../../store/account';
import type { RateLimitSnapshot } from '../../store/rate-limit-snapshots';
import { quotaWindows } from '../providers/quota-windows';
import type { HttpLogin } from '../logins/http-logins.service';

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

export interface LoginView {
  id: string;
  provider: string;
  account_id: string;
  flow: HttpLogin['flow'];
  status: HttpLogin['status'];
  started_at: string;
  expires_at: string;
  /** Device code: what to enter, where. */
  user_code?: string;
  verification_uri?: string;
  verification_uri_complete?: string;
  /** Browser (PKCE): the URL to open, and where the browser will be sent back to. */
  authorize_url?: string;
  redirect_uri?: string;
  /** What to do next, in words. */
  next: string;
  account?: AccountView;
  error?: { code: string; message: string };
}

export function loginView(login: HttpLogin): LoginView {
  const view: LoginView = {
    id: login.id,
    provider: login.provider,
    account_id: login.accountId,
    flow: login.flow,
    status: login.status,
    started_at: iso(login.startedAt),
    expires_at: iso(login.expiresAt),
    next: nextStep(login),
  };
  const prompt = login.prompt;
  if (prompt.kind === 'device') {
    view.user_code = prompt.userCode;
    view.verification_uri = prompt.verificationUri;
    if (prompt.verificationUriComplete) view.verification_uri_complete = prompt.verificationUriComplete;
  } else if (login.status === 'pending') {
    // The URL carries this login's state and PKCE challenge: useless once the login has ended.
    view.authorize_url = prompt.authorizeUrl;
    view.redirect_uri = prompt.redirectUri;
  }
  if (login.account) view.account = accountView(login.account);
  if (login.error) view.error = login.error;
  return view;
}

function nextStep(login: HttpLogin): string {
  const poll = `GET /admin/v1/accounts/logins/${login.id}`;
  if (login.status === 'done') return `Logged in: account ${login.provider}/${login.accountId} serves requests now.`;
  if (login.status === 'failed') return `Start a new login with POST /admin/v1/accounts/${login.provider}/login.`;
  if (login.prompt.kind === 'device') {
    return `Open verification_uri, enter user_code and approve; then poll ${poll} until status is done.`;
  }
  return (
    'Open authorize_url in a browser and log in. The browser is then sent to redirect_uri, which may fail to load when byokey runs elsewhere: ' +
    `copy the full address from the address bar and POST it as {"redirect_url": "…"} to /admin/v1/accounts/logins/${login.id}/complete.`
  );
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
