// Keys: the client keys — create one with its scope and limits (the secret is shown once, here,
// with a copy button), revoke, and each key's use over the last 24 hours.
import { admin } from '../api.js';
import { Notice } from '../components/notice.js';
import { useAction, useLoad } from '../components/use-load.js';
import { count, when, totalTokens } from '../format.js';
import { html, useState } from '../html.js';

const EMPTY = { name: '', models: '', rpm: '', tpm: '', concurrency: '', budgetTokens: '', budgetPer: 'day', expiresIn: '' };

/** @param {{onUnauthorized: () => void}} props */
export function KeysPage({ onUnauthorized }) {
  const { data, error, reload } = useLoad(async () => {
    const [keys, usage] = await Promise.all([admin.keys(), admin.usage('key', '24h')]);
    return { keys: keys.data, usage: new Map(usage.data.map((g) => [g.group, g])) };
  }, onUnauthorized);
  const action = useAction(onUnauthorized);
  const [form, setForm] = useState(EMPTY);
  const [created, setCreated] = useState(/** @type {{name: string, secret: string} | null} */ (null));
  const [revoking, setRevoking] = useState(/** @type {string | null} */ (null));

  const field = (/** @type {keyof typeof EMPTY} */ name) => ({
    name,
    value: form[name],
    onInput: (/** @type {any} */ e) => setForm({ ...form, [name]: e.currentTarget.value }),
  });

  const create = (/** @type {Event} */ event) => {
    event.preventDefault();
    void action.run(async () => {
      /** @type {Record<string, unknown>} */
      const spec = { name: form.name.trim() };
      const models = form.models.split(/[\s,]+/).filter(Boolean);
      if (models.length > 0) spec.models = models;
      for (const limit of /** @type {const} */ (['rpm', 'tpm', 'concurrency'])) if (form[limit]) spec[limit] = Number(form[limit]);
      if (form.budgetTokens) spec.budget = { tokens: Number(form.budgetTokens), per: form.budgetPer };
      if (form.expiresIn.trim()) spec.expires_in = form.expiresIn.trim();
      const answer = await admin.createKey(spec);
      setCreated({ name: answer.key.name, secret: answer.secret });
      setForm(EMPTY);
      await reload();
      return null;
    });
  };
  const revoke = (/** @type {string} */ id, /** @type {string} */ name) =>
    action.run(async () => {
      await admin.revokeKey(id);
      setRevoking(null);
      await reload();
      return `Revoked ${name}: it no longer works.`;
    });

  return html`
    <${Notice} error=${error || action.error} done=${action.done} />
    ${created ? html`<${NewSecret} created=${created} onClose=${() => setCreated(null)} />` : null}
    <form class="card" onSubmit=${create} aria-label="Create a key">
      <h2>Create a key</h2>
      <div class="grid">
        <label>Name <input required ...${field('name')} /></label>
        <label>Models <span class="muted">(globs, comma-separated; empty: all)</span><input placeholder="gpt-5*, claude-*" ...${field('models')} /></label>
        <label>Requests per minute <input type="number" min="1" ...${field('rpm')} /></label>
        <label>Tokens per minute <input type="number" min="1" ...${field('tpm')} /></label>
        <label>Concurrent requests <input type="number" min="1" ...${field('concurrency')} /></label>
        <label>Token budget <input type="number" min="1" ...${field('budgetTokens')} /></label>
        <label>Budget per <select ...${field('budgetPer')}><option value="day">day</option><option value="month">month</option></select></label>
        <label>Expires in <span class="muted">(12h, 30d, 2w)</span><input pattern="\\d{1,6}[smhdw]" ...${field('expiresIn')} /></label>
      </div>
      <button type="submit" disabled=${action.busy}>Create key</button>
    </form>
    ${data ? html`<${KeyTable} data=${data} revoking=${revoking} setRevoking=${setRevoking} revoke=${revoke} busy=${action.busy} />` : error ? null : html`<p class="loading">Loading keys…</p>`}`;
}

/** @param {{created: {name: string, secret: string}, onClose: () => void}} props */
function NewSecret({ created, onClose }) {
  const [copied, setCopied] = useState(/** @type {string | null} */ (null));
  const copy = () =>
    navigator.clipboard.writeText(created.secret).then(
      () => setCopied('Copied.'),
      () => setCopied('The browser refused the clipboard: select the key and copy it.'),
    );
  return html`<section class="card secret" role="status" aria-label="New key">
    <h2>Key ${created.name} created</h2>
    <p>This is the only time the key is shown. Copy it now.</p>
    <div class="row">
      <input class="grow mono" readonly aria-label="New key secret" value=${created.secret} onFocus=${(/** @type {any} */ e) => e.currentTarget.select()} />
      <button type="button" onClick=${copy}>Copy</button>
      <button type="button" onClick=${onClose}>Done</button>
    </div>
    ${copied ? html`<p class="muted">${copied}</p>` : null}
  </section>`;
}

/**
 * @param {{data: {keys: import('../api.js').KeyView[], usage: Map<string | null, import('../api.js').UsageGroup>}, revoking: string | null,
 *   setRevoking: (id: string | null) => void, revoke: (id: string, name: string) => void, busy: boolean}} props
 */
function KeyTable({ data, revoking, setRevoking, revoke, busy }) {
  if (data.keys.length === 0) return html`<p class="muted">No client keys yet.</p>`;
  return html`<div class="table-wrap"><table aria-label="Client keys">
    <thead><tr><th>Name</th><th>Key</th><th>Status</th><th>Models</th><th>Limits</th><th>Requests 24 h</th><th>Tokens 24 h</th><th>Last used</th><th></th></tr></thead>
    <tbody>
      ${data.keys.map((k) => {
        const use = data.usage.get(k.id);
        const limits = [k.rpm && `${k.rpm} rpm`, k.tpm && `${k.tpm} tpm`, k.concurrency && `${k.concurrency} at once`, k.budget && `${count(k.budget.tokens)}/${k.budget.per}`, k.expires_at && `until ${when(k.expires_at)}`].filter(Boolean);
        return html`<tr key=${k.id} data-key=${k.name}>
          <td>${k.name}</td>
          <td class="mono">${k.prefix}</td>
          <td><span class=${`state ${k.status === 'active' ? 'ok' : 'bad'}`}>${k.status}</span></td>
          <td>${k.models.length ? k.models.join(', ') : 'all'}</td>
          <td>${limits.length ? limits.join(', ') : 'none'}</td>
          <td class="num">${use ? count(use.requests) : 0}</td>
          <td class="num">${use ? count(totalTokens(use.tokens)) : 0}</td>
          <td>${when(k.last_used_at)}</td>
          <td>${k.status === 'revoked' ? null : revoking === k.id
            ? html`<button type="button" class="danger" disabled=${busy} onClick=${() => revoke(k.id, k.name)}>Revoke ${k.name} for good</button>
                <button type="button" onClick=${() => setRevoking(null)}>Keep</button>`
            : html`<button type="button" class="danger-quiet" aria-label=${`Revoke ${k.name}`} onClick=${() => setRevoking(k.id)}>Revoke…</button>`}</td>
        </tr>`;
      })}
    </tbody>
  </table></div>`;
}
