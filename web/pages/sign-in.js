// Signing in with the admin key, and what the console says when the gateway has none.
import { probe, storeAdminKey } from '../api.js';
import { html, useState } from '../html.js';

/** @param {{problem: string | null, onSignedIn: () => void}} props */
export function SignIn({ problem, onSignedIn }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState(problem);
  const [busy, setBusy] = useState(false);

  const submit = async (/** @type {Event} */ event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = await probe(key.trim());
      if (answer === 'ok') {
        storeAdminKey(key.trim());
        onSignedIn();
      } else setError(answer === 'wrong' ? 'That is not the admin key.' : 'This gateway has no admin key.');
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return html`<main class="narrow">
    <h1>byokey console</h1>
    <form class="card" onSubmit=${submit}>
      <label for="admin-key">Admin key</label>
      <input id="admin-key" type="password" autocomplete="current-password" required value=${key} onInput=${(/** @type {any} */ e) => setKey(e.currentTarget.value)} />
      <p class="muted">admin.key in providers.yaml, or BYOKEY_ADMIN_KEY. Kept in this tab only (sessionStorage) and sent with each call to the admin API.</p>
      ${error ? html`<p class="notice error" role="alert">${error}</p>` : null}
      <button type="submit" disabled=${busy}>Sign in</button>
    </form>
  </main>`;
}

export function NoAdminKey() {
  return html`<main class="narrow">
    <h1>byokey console</h1>
    <div class="card" role="status">
      <h2>No admin key is configured</h2>
      <p>Without an admin key this gateway has no admin API (its routes answer 404), so the console has nothing to show or change.
        To use the console, set <code>admin.key</code> in providers.yaml (or <code>BYOKEY_ADMIN_KEY</code>) and restart byokey.</p>
      <p>Meanwhile the command line does the same work on this machine: <code>byokey status</code>, <code>byokey accounts list</code>,
        <code>byokey keys list</code>, <code>byokey usage</code>.</p>
    </div>
  </main>`;
}
