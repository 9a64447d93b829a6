// The console's shell: finds out whether the gateway has an admin API at all, signs in with the
// admin key, and shows one page at a time by the address's #fragment (#/accounts, #/keys, …).
import { hasAdminApi, probe, storeAdminKey, storedAdminKey } from './api.js';
import { html, render, useEffect, useState } from './html.js';
import { AccountsPage } from './pages/accounts.js';
import { KeysPage } from './pages/keys.js';
import { OverviewPage } from './pages/overview.js';
import { ProvidersPage } from './pages/providers.js';
import { NoAdminKey, SignIn } from './pages/sign-in.js';
import { UsagePage } from './pages/usage.js';

const PAGES = [
  { path: 'overview', title: 'Overview', Page: OverviewPage },
  { path: 'accounts', title: 'Accounts', Page: AccountsPage },
  { path: 'keys', title: 'Keys', Page: KeysPage },
  { path: 'usage', title: 'Usage', Page: UsagePage },
  { path: 'providers', title: 'Providers', Page: ProvidersPage },
];

function currentPath() {
  const path = location.hash.replace(/^#\/?/, '');
  return PAGES.some((p) => p.path === path) ? path : 'overview';
}

/** @typedef {'checking' | 'no-admin' | 'signed-out' | 'signed-in' | 'unreachable'} Phase */

function App() {
  const [phase, setPhase] = useState(/** @type {Phase} */ ('checking'));
  const [problem, setProblem] = useState(/** @type {string | null} */ (null));
  const [path, setPath] = useState(currentPath());

  useEffect(() => {
    const onHash = () => setPath(currentPath());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => {
    const check = async () => {
      if (!(await hasAdminApi())) return 'no-admin';
      const stored = storedAdminKey();
      return stored ? probe(stored) : 'wrong';
    };
    check().then(
      (answer) => {
        if (answer === 'ok') setPhase('signed-in');
        else if (answer === 'no-admin') setPhase('no-admin');
        else {
          if (storedAdminKey()) setProblem('The stored admin key no longer works; sign in again.');
          storeAdminKey(null);
          setPhase('signed-out');
        }
      },
      (error) => {
        setProblem(error instanceof Error ? error.message : String(error));
        setPhase('unreachable');
      },
    );
  }, []);

  const signOut = (/** @type {string | null} */ why = null) => {
    storeAdminKey(null);
    setProblem(why);
    setPhase('signed-out');
  };

  if (phase === 'checking') return html`<p class="loading">Asking the gateway…</p>`;
  if (phase === 'no-admin') return html`<${NoAdminKey} />`;
  if (phase === 'unreachable') return html`<main class="narrow"><h1>byokey</h1><p class="notice error" role="alert">The gateway did not answer: ${problem}</p></main>`;
  if (phase === 'signed-out') return html`<${SignIn} problem=${problem} onSignedIn=${() => { setProblem(null); setPhase('signed-in'); }} />`;

  const page = PAGES.find((p) => p.path === path) ?? PAGES[0];
  return html`<div class="shell">
    <header class="top">
      <span class="brand">byokey</span>
      <nav aria-label="Pages">
        ${PAGES.map((p) => html`<a key=${p.path} href=${`#/${p.path}`} aria-current=${p.path === page.path ? 'page' : undefined}>${p.title}</a>`)}
      </nav>
      <button type="button" class="link" onClick=${() => signOut()}>Sign out</button>
    </header>
    <main>
      <h1>${page.title}</h1>
      <${page.Page} key=${page.path} onUnauthorized=${() => signOut('The admin key was refused; sign in again.')} />
    </main>
  </div>`;
}

render(html`<${App} />`, /** @type {HTMLElement} */ (document.getElementById('app')));
