// Accounts: the subscription logins per provider — status, token expiry, cooldowns, quota
// windows — with a new login, make-default and remove.
import { admin } from '../api.js';
import { Countdown } from '../components/countdown.js';
import { Notice } from '../components/notice.js';
import { QuotaBars } from '../components/quota-bars.js';
import { useAction, useLoad } from '../components/use-load.js';
import { when } from '../format.js';
import { html, useState } from '../html.js';
import { LoginPanel } from './login-panel.js';

/** @typedef {import('../api.js').AccountView} AccountView @typedef {import('../api.js').CredentialView} CredentialView */

/** @param {{onUnauthorized: () => void}} props */
export function AccountsPage({ onUnauthorized }) {
  const { data, error, reload } = useLoad(async () => {
    const [accounts, providers] = await Promise.all([admin.accounts(), admin.providers()]);
    return { accounts: accounts.data, providers: providers.data };
  }, onUnauthorized);
  const action = useAction(onUnauthorized);
  const [removing, setRemoving] = useState(/** @type {string | null} */ (null));

  if (!data) return html`<${Notice} error=${error} />${error ? null : html`<p class="loading">Loading accounts…</p>`}`;

  /** Routing's view of each account (cooling, needs login), by provider/account. */
  /** @type {Map<string, CredentialView>} */
  const routing = new Map();
  for (const p of data.providers) for (const c of p.credentials) if (c.kind === 'account') routing.set(`${c.provider}/${c.account_id}`, c);
  /** @type {Map<string, AccountView[]>} */
  const byProvider = new Map();
  for (const a of data.accounts) byProvider.set(a.provider, [...(byProvider.get(a.provider) ?? []), a]);
  const suggestions = [...new Set([...data.providers.map((p) => p.plugin), ...byProvider.keys()])].filter((p) => !/compatible$/.test(p));

  const remove = (/** @type {AccountView} */ a) =>
    action.run(async () => {
      await admin.removeAccount(a.provider, a.account_id);
      setRemoving(null);
      await reload();
      return `Removed ${a.provider}/${a.account_id}.`;
    });
  const makeDefault = (/** @type {AccountView} */ a) =>
    action.run(async () => {
      await admin.makeDefault(a.provider, a.account_id);
      await reload();
      return `${a.provider}/${a.account_id} is now the default.`;
    });

  return html`
    <${Notice} error=${error || action.error} done=${action.done} />
    <${LoginPanel} suggestions=${suggestions} onUnauthorized=${onUnauthorized} onLoggedIn=${reload} />
    ${byProvider.size === 0 ? html`<p class="muted">No accounts yet: log in above.</p>` : null}
    ${[...byProvider].map(([provider, accounts]) => html`<section key=${provider} class="group" aria-label=${`${provider} accounts`}>
      <h2>${provider}</h2>
      <div class="cards">
        ${accounts.map((a) => {
          const id = `${a.provider}/${a.account_id}`;
          const r = routing.get(id);
          return html`<article class="card account" key=${id} data-account=${id}>
            <header>
              <h3>${a.account_id}${a.is_default ? html` <span class="badge">default</span>` : null}</h3>
              <${State} account=${a} routing=${r} />
            </header>
            <dl>
              ${a.label ? html`<dt>Login</dt><dd>${a.label}</dd>` : null}
              ${typeof a.claims.plan === 'string' ? html`<dt>Plan</dt><dd>${a.claims.plan}</dd>` : null}
              <dt>Token</dt><dd>${a.expires_at ? html`expires <${Countdown} to=${a.expires_at} /> (refreshed before)` : 'does not expire'}</dd>
              ${r && r.state === 'cooling' && r.cooling_until ? html`<dt>Cooling</dt><dd>until ${when(r.cooling_until)} (<${Countdown} to=${r.cooling_until} />)${r.reason ? `: ${r.reason}` : ''}</dd>` : null}
              ${a.status_reason ? html`<dt>Why</dt><dd>${a.status_reason}</dd>` : null}
              ${r && r.last_error ? html`<dt>Last error</dt><dd>${r.last_error.message} (${when(r.last_error.at)})</dd>` : null}
              <dt>Added</dt><dd>${when(a.created_at)}</dd>
            </dl>
            <${QuotaBars} quota=${a.quota ?? r?.quota} />
            <div class="actions">
              ${a.is_default ? null : html`<button type="button" disabled=${action.busy} onClick=${() => makeDefault(a)}>Make default</button>`}
              ${removing === id
                ? html`<button type="button" class="danger" disabled=${action.busy} onClick=${() => remove(a)}>Remove ${id} for good</button>
                    <button type="button" onClick=${() => setRemoving(null)}>Keep</button>`
                : html`<button type="button" class="danger-quiet" onClick=${() => setRemoving(id)}>Remove…</button>`}
            </div>
          </article>`;
        })}
      </div>
    </section>`)}`;
}

/** @param {{account: AccountView, routing?: CredentialView}} props */
function State({ account, routing }) {
  const state = account.status !== 'active' ? account.status : routing ? routing.state : 'active';
  const label = { active: 'active', ready: 'ready', cooling: 'cooling down', needs_login: 'needs a new login', needs_relogin: 'needs a new login', disabled: 'disabled' }[state] ?? state;
  const tone = state === 'ready' || state === 'active' ? 'ok' : state === 'cooling' ? 'warn' : 'bad';
  return html`<span class=${`state ${tone}`}>${label}</span>`;
}
