// The JSON shape of a login run over the admin API (GET /admin/v1/accounts/logins/{id}): its
// flow, status, what the person does next, and the account once it is done; never a code or a
// token. Also read back from other instances (LoginRelay), so it is checked when read.
import { accountView, type AccountView } from '../accounts/account-views';
import type { HttpLogin } from './http-login';

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

/**
 * A login read back from another instance, ended for `error` (its instance is gone): failed, its
 * authorize URL dropped, the next step a new login.
 */
export function failedLoginView(view: LoginView, error: { code: string; message: string }): LoginView {
  const { authorize_url: _url, redirect_uri: _redirect, ...rest } = view;
  return { ...rest, status: 'failed', error, next: failedStep(view.provider) };
}

/** Whether a view read back from another instance (any version) has what a poll and a completion rely on. */
export function isLoginView(value: unknown): value is LoginView {
  const v = value as Partial<LoginView> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.id === 'string' &&
    typeof v.provider === 'string' &&
    (v.flow === 'device-code' || v.flow === 'authorization-code') &&
    (v.status === 'pending' || v.status === 'done' || v.status === 'failed')
  );
}

function failedStep(provider: string): string {
  return `Start a new login with POST /admin/v1/accounts/${provider}/login.`;
}

function nextStep(login: HttpLogin): string {
  const poll = `GET /admin/v1/accounts/logins/${login.id}`;
  if (login.status === 'done') return `Logged in: account ${login.provider}/${login.accountId} serves requests now.`;
  if (login.status === 'failed') return failedStep(login.provider);
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
