// Overview: requests, errors, tokens and p95 latency over the last hour or day (from the usage
// API), and every provider instance with the state of its credentials.
import { admin } from '../api.js';
import { Notice } from '../components/notice.js';
import { useLoad } from '../components/use-load.js';
import { count, millis, totalTokens, when } from '../format.js';
import { html, useState } from '../html.js';

/** How many recent records the p95 is computed from at most (pages of 1000). */
const MAX_RECORDS = 5000;
const WINDOWS = { '1h': 3_600_000, '24h': 86_400_000 };

/** @param {{onUnauthorized: () => void}} props */
export function OverviewPage({ onUnauthorized }) {
  const [since, setSince] = useState(/** @type {'1h' | '24h'} */ ('1h'));
  const { data, error } = useLoad(
    async () => {
      const [usage, latency, providers] = await Promise.all([admin.usage('instance', since), p95(WINDOWS[since]), admin.providers()]);
      return { usage, latency, providers: providers.data };
    },
    onUnauthorized,
    [since],
  );

  const totals = data
    ? data.usage.data.reduce((t, g) => ({ requests: t.requests + g.requests, errors: t.errors + g.errors, tokens: t.tokens + totalTokens(g.tokens) }), { requests: 0, errors: 0, tokens: 0 })
    : null;

  return html`
    <div class="row">
      <label>Over the <select name="window" value=${since} onChange=${(/** @type {any} */ e) => setSince(e.currentTarget.value)}>
        <option value="1h">last hour</option><option value="24h">last 24 hours</option></select></label>
    </div>
    <${Notice} error=${error} />
    ${!data || !totals ? (error ? null : html`<p class="loading">Loading…</p>`) : html`
      <div class="stats">
        <${Stat} label="Requests" value=${count(totals.requests)} />
        <${Stat} label="Errors" value=${count(totals.errors)} note=${totals.requests ? `${((100 * totals.errors) / totals.requests).toFixed(1)} %` : ''} />
        <${Stat} label="Tokens" value=${count(totals.tokens)} />
        <${Stat} label="p95 latency" value=${millis(data.latency.p95)} note=${data.latency.partial ? `of the last ${count(data.latency.n)} requests` : ''} />
      </div>
      <h2>Instances</h2>
      <div class="table-wrap"><table aria-label="Provider instances">
        <thead><tr><th>Instance</th><th>Plugin</th><th>State</th><th>Credentials</th><th class="num">Requests</th><th>Last error</th></tr></thead>
        <tbody>${data.providers.map((p) => {
          const use = data.usage.data.find((g) => g.group === p.name);
          const states = p.credentials.reduce((m, c) => ({ ...m, [c.state]: (m[c.state] ?? 0) + 1 }), /** @type {Record<string, number>} */ ({}));
          return html`<tr key=${p.name}>
            <td>${p.name}</td><td>${p.plugin}</td>
            <td>${instanceState(p)}</td>
            <td>${Object.keys(states).length === 0 ? 'none' : Object.entries(states).map(([s, n]) => `${n} ${s.replace('_', ' ')}`).join(', ')}</td>
            <td class="num">${use ? count(use.requests) : 0}</td>
            <td>${p.last_error ? `${p.last_error.message} (${when(p.last_error.at)})` : '—'}</td>
          </tr>`;
        })}</tbody>
      </table></div>`}`;
}

/** @param {import('../api.js').ProviderView} p */
function instanceState(p) {
  if (p.login_only) return html`<span class="state muted">login only</span>`;
  if (!p.enabled) return html`<span class="state bad">disabled</span>`;
  if (p.hint && p.hint.startsWith('No usable credential')) return html`<span class="state bad" title=${p.hint}>no usable credential</span>`;
  if (p.credentials.length > 0 && p.credentials.every((c) => c.state === 'cooling')) return html`<span class="state warn">cooling down</span>`;
  return html`<span class="state ok">serving</span>`;
}

/** @param {{label: string, value: string, note?: string}} props */
function Stat({ label, value, note }) {
  return html`<div class="card stat" role="group" aria-label=${label}><span class="stat-label">${label}</span><span class="stat-value">${value}</span>${note ? html`<span class="muted">${note}</span>` : null}</div>`;
}

/**
 * The 95th percentile of request durations in the window, from the usage records (the aggregate
 * route gives medians only). Pages back until the window is covered, up to MAX_RECORDS.
 * @param {number} windowMs
 */
async function p95(windowMs) {
  const from = Date.now() - windowMs;
  /** @type {number[]} */
  const durations = [];
  /** @type {number | null} */
  let before = null;
  let partial = false;
  for (;;) {
    const page = await admin.records(1000, before);
    const inside = page.data.filter((r) => Date.parse(r.at) >= from);
    durations.push(...inside.map((r) => r.duration_ms));
    if (inside.length < page.data.length || !page.has_more) break;
    if (durations.length >= MAX_RECORDS) {
      partial = true;
      break;
    }
    before = page.next_before;
  }
  if (durations.length === 0) return { p95: null, n: 0, partial };
  durations.sort((a, b) => a - b);
  return { p95: durations[Math.min(durations.length - 1, Math.ceil(0.95 * durations.length) - 1)], n: durations.length, partial };
}
