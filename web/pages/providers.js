// Providers: every instance with its models and credentials (upstream keys masked, as the API
// gives them), switching an instance on or off at runtime, and adding or removing upstream keys.
import { admin } from '../api.js';
import { Countdown } from '../components/countdown.js';
import { Notice } from '../components/notice.js';
import { useAction, useLoad } from '../components/use-load.js';
import { when } from '../format.js';
import { html, useState } from '../html.js';

/** @typedef {import('../api.js').ProviderView} ProviderView */

/** @param {{onUnauthorized: () => void}} props */
export function ProvidersPage({ onUnauthorized }) {
  const { data, error, reload } = useLoad(() => admin.providers(), onUnauthorized);
  const action = useAction(onUnauthorized);
  /** Runs a change and shows the instances as they now are. @param {() => Promise<string>} change */
  const apply = (change) =>
    action.run(async () => {
      const done = await change();
      await reload();
      return done;
    });

  if (!data) return html`<${Notice} error=${error} />${error ? null : html`<p class="loading">Loading providers…</p>`}`;
  return html`
    <p class="muted">From ${data.source}; changes made here are kept in the store and apply at once (providers.yaml stays the base).</p>
    <${Notice} error=${error || action.error} done=${action.done} />
    <div class="cards wide">${data.data.map((p) => html`<${Instance} key=${p.name} p=${p} apply=${apply} busy=${action.busy} />`)}</div>`;
}

/** @param {{p: ProviderView, apply: (change: () => Promise<string>) => Promise<void>, busy: boolean}} props */
function Instance({ p, apply, busy }) {
  const [key, setKey] = useState('');
  const [label, setLabel] = useState('');
  // The switch shows what was asked for while the change is on its way: re-rendered from the
  // instance as last loaded, it would jump back until the answer came.
  const [asked, setAsked] = useState(/** @type {boolean | null} */ (null));
  const setEnabled = (/** @type {boolean | null} */ enabled) => {
    setAsked(enabled);
    return apply(async () => {
      await admin.setEnabled(p.name, enabled);
      return enabled === null ? `${p.name} follows providers.yaml again.` : `${p.name} ${enabled ? 'enabled' : 'disabled'}.`;
    }).finally(() => setAsked(null));
  };
  const addKey = (/** @type {Event} */ event) => {
    event.preventDefault();
    apply(async () => {
      const answer = await admin.addUpstreamKey(p.name, label.trim() ? { key: key.trim(), label: label.trim() } : { key: key.trim() });
      setKey('');
      setLabel('');
      return `Added ${answer.id} to ${p.name}.`;
    });
  };
  const removeKey = (/** @type {string} */ id) =>
    apply(async () => {
      await admin.removeUpstreamKey(p.name, id.replace(/^runtime:/, ''));
      return `Removed ${id} from ${p.name}.`;
    });

  return html`<article class="card instance" aria-label=${`Instance ${p.name}`}>
    <header>
      <h2>${p.name} <span class="muted">${p.plugin}</span></h2>
      ${p.login_only
        ? html`<span class="state muted">login only</span>`
        : html`<label class="toggle"><input type="checkbox" checked=${asked ?? p.enabled} disabled=${busy} onChange=${(/** @type {any} */ e) => setEnabled(e.currentTarget.checked)} /> Enabled</label>`}
    </header>
    ${p.sources.enabled === 'runtime' ? html`<p class="muted">Set here (providers.yaml says ${p.file_enabled ? 'enabled' : 'disabled'}).
      <button type="button" class="link" onClick=${() => setEnabled(null)}>Follow providers.yaml</button></p>` : null}
    ${p.hint ? html`<p class="hint">${p.hint}</p>` : null}
    <details>
      <summary>${p.models.length} models${p.model_pattern ? ` (and any matching ${p.model_pattern})` : ''}</summary>
      <p class="models">${p.models.join(', ') || 'none'}</p>
    </details>
    ${p.credentials.length === 0 ? null : html`<div class="table-wrap"><table aria-label=${`Credentials of ${p.name}`}>
      <thead><tr><th>Credential</th><th>Key or account</th><th>State</th><th>Last error</th><th></th></tr></thead>
      <tbody>${p.credentials.map((c) => html`<tr key=${c.id}>
        <td>${c.id} <span class="muted">${c.source}</span></td>
        <td class="mono">${c.kind === 'api-key' ? c.masked_key ?? '' : `${c.account_id}${c.label ? ` (${c.label})` : ''}`}</td>
        <td><span class=${`state ${c.state === 'ready' ? 'ok' : c.state === 'cooling' ? 'warn' : 'bad'}`}>${c.state.replace('_', ' ')}</span>
          ${c.cooling_until ? html` until <${Countdown} to=${c.cooling_until} />` : null}${c.reason ? html`<br /><span class="muted">${c.reason}</span>` : null}</td>
        <td>${c.last_error ? `${c.last_error.message} (${when(c.last_error.at)})` : '—'}</td>
        <td>${c.source === 'runtime' ? html`<button type="button" class="danger-quiet" disabled=${busy} aria-label=${`Remove ${c.id} from ${p.name}`} onClick=${() => removeKey(c.id)}>Remove</button>` : null}</td>
      </tr>`)}</tbody>
    </table></div>`}
    ${p.login_only ? null : html`<form class="row" onSubmit=${addKey} aria-label=${`Add an upstream key to ${p.name}`}>
      <label class="grow">Upstream API key <input type="password" autocomplete="off" required value=${key} onInput=${(/** @type {any} */ e) => setKey(e.currentTarget.value)} /></label>
      <label>Label <span class="muted">(optional)</span><input value=${label} onInput=${(/** @type {any} */ e) => setLabel(e.currentTarget.value)} /></label>
      <button type="submit" disabled=${busy}>Add key</button>
    </form>`}
  </article>`;
}
