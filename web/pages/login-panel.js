// Logging a new account in through the admin logins API: a device code shown large with its
// countdown (the page polls until it is approved), or the provider's login link with a box to
// paste back the address the browser was sent to.
import { admin, ApiError } from '../api.js';
import { Countdown } from '../components/countdown.js';
import { html, useEffect, useState } from '../html.js';

const POLL_MS = 2000;

/** @param {{suggestions: string[], onUnauthorized: () => void, onLoggedIn: () => void}} props */
export function LoginPanel({ suggestions, onUnauthorized, onLoggedIn }) {
  const [provider, setProvider] = useState('');
  const [account, setAccount] = useState('');
  const [login, setLogin] = useState(/** @type {import('../api.js').LoginView | null} */ (null));
  const [pasted, setPasted] = useState('');
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const [busy, setBusy] = useState(false);

  /** @param {() => Promise<void>} step */
  const attempt = async (step) => {
    setBusy(true);
    setError(null);
    try {
      await step();
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) onUnauthorized();
      else setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  // While a login is pending, ask after it: a device code is approved elsewhere, and a browser
  // login may finish through byokey's own callback when the browser runs on the same machine.
  const pendingId = login && login.status === 'pending' ? login.id : null;
  useEffect(() => {
    if (!pendingId) return undefined;
    const timer = setInterval(() => {
      admin.login(pendingId).then(
        (next) => {
          setError(null);
          if (next.status !== 'pending') setLogin(next);
          if (next.status === 'done') onLoggedIn();
        },
        (e) => {
          // A refused admin key signs out, and a login the gateway no longer knows (forgotten,
          // or started on another gateway) is over: both stop the polling. Anything else (the
          // network, a restart) is shown and asked again.
          if (e instanceof ApiError && e.status === 401) onUnauthorized();
          else if (e instanceof ApiError && e.status === 404) setLogin((current) => current && { ...current, status: 'failed', error: { code: e.code ?? 'login_not_found', message: e.message } });
          else setError(e instanceof Error ? e.message : String(e));
        },
      );
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [pendingId]);

  const start = (/** @type {Event} */ event) => {
    event.preventDefault();
    void attempt(async () => {
      setPasted('');
      setLogin(await admin.startLogin(provider.trim(), account.trim() || undefined));
    });
  };
  const complete = (/** @type {Event} */ event) => {
    event.preventDefault();
    if (!login) return;
    void attempt(async () => {
      const next = await admin.completeLogin(login.id, pasted.trim());
      setLogin(next);
      if (next.status === 'done') onLoggedIn();
    });
  };

  return html`<section class="card login" aria-label="Log in an account">
    <h2>Log in an account</h2>
    <form class="row" onSubmit=${start}>
      <label>Provider
        <input name="provider" list="login-providers" required placeholder="codex, claude, copilot…" value=${provider}
          onInput=${(/** @type {any} */ e) => setProvider(e.currentTarget.value)} />
      </label>
      <datalist id="login-providers">${suggestions.map((s) => html`<option key=${s} value=${s}></option>`)}</datalist>
      <label>Account name <span class="muted">(optional)</span>
        <input name="account" placeholder="default" value=${account} onInput=${(/** @type {any} */ e) => setAccount(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled=${busy}>Start login</button>
    </form>
    ${error ? html`<p class="notice error" role="alert">${error}</p>` : null}
    ${login ? html`<${LoginState} login=${login} pasted=${pasted} setPasted=${setPasted} complete=${complete} busy=${busy} />` : null}
  </section>`;
}

/**
 * @param {{login: import('../api.js').LoginView, pasted: string, setPasted: (s: string) => void, complete: (e: Event) => void, busy: boolean}} props
 */
function LoginState({ login, pasted, setPasted, complete, busy }) {
  if (login.status === 'done') {
    return html`<p class="notice done" role="status">Logged in: ${login.provider}/${login.account_id}${login.account?.label ? ` (${login.account.label})` : ''} serves requests now.</p>`;
  }
  if (login.status === 'failed') {
    return html`<p class="notice error" role="alert">The login failed: ${login.error?.message ?? 'no reason given'}. Start a new one.</p>`;
  }
  if (login.flow === 'device-code') {
    // An <output> so that its label reaches a screen reader (a paragraph's aria-label does not).
    return html`<div class="device">
      <p>Open <a href=${login.verification_uri_complete ?? login.verification_uri} target="_blank" rel="noopener noreferrer">${login.verification_uri}</a> and enter</p>
      <output class="user-code" aria-label="Device code">${login.user_code}</output>
      <p>The code expires in <${Countdown} to=${login.expires_at} asClock=${true} label="The code expires in" />. This page notices the approval by itself.</p>
    </div>`;
  }
  return html`<div class="browser-login">
    <p><a class="button" href=${login.authorize_url} target="_blank" rel="noopener noreferrer">Open the ${login.provider} login page</a>
      <span class="muted"> (waits <${Countdown} to=${login.expires_at} asClock=${true} />)</span></p>
    <p class="muted">After logging in, the browser is sent to ${login.redirect_uri}, which may not load when byokey runs on another machine.
      Copy the whole address from the address bar and paste it here.</p>
    <form class="row" onSubmit=${complete}>
      <label class="grow">Address the browser was sent back to
        <input name="redirect_url" required value=${pasted} onInput=${(/** @type {any} */ e) => setPasted(e.currentTarget.value)} placeholder=${`${login.redirect_uri}?code=…&state=…`} />
      </label>
      <button type="submit" disabled=${busy}>Finish login</button>
    </form>
  </div>`;
}
