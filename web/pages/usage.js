// Usage: totals by key, model, account or instance over a chosen window — a table, a bar chart
// of the same rows, and the table as CSV.
import { admin } from '../api.js';
import { BarChart } from '../components/bar-chart.js';
import { Notice } from '../components/notice.js';
import { useLoad } from '../components/use-load.js';
import { count, millis, totalTokens } from '../format.js';
import { html, useEffect, useRef, useState } from '../html.js';

const GROUPINGS = /** @type {const} */ (['key', 'model', 'account', 'instance']);
const WINDOWS = [
  ['1h', 'last hour'],
  ['24h', 'last 24 hours'],
  ['7d', 'last 7 days'],
  ['30d', 'last 30 days'],
];
const METRICS = /** @type {const} */ (['requests', 'tokens', 'errors']);

/** @typedef {import('../api.js').UsageGroup} UsageGroup */

/** @param {UsageGroup} g */
const label = (g) => g.key_name ?? g.group ?? '(none)';

/** @param {{onUnauthorized: () => void}} props */
export function UsagePage({ onUnauthorized }) {
  const [by, setBy] = useState(/** @type {typeof GROUPINGS[number]} */ ('model'));
  const [since, setSince] = useState('24h');
  const [metric, setMetric] = useState(/** @type {typeof METRICS[number]} */ ('requests'));
  const { data, error, reload } = useLoad(() => admin.usage(by, since), onUnauthorized, [by, since]);

  const value = (/** @type {UsageGroup} */ g) => (metric === 'tokens' ? totalTokens(g.tokens) : g[metric]);
  const rows = data ? [...data.data].sort((a, b) => value(b) - value(a)) : [];

  return html`
    <form class="row card" aria-label="Usage query" onSubmit=${(/** @type {Event} */ e) => { e.preventDefault(); void reload(); }}>
      <label>By <select name="by" value=${by} onChange=${(/** @type {any} */ e) => setBy(e.currentTarget.value)}>
        ${GROUPINGS.map((g) => html`<option key=${g} value=${g}>${g}</option>`)}</select></label>
      <label>Over the <select name="since" value=${since} onChange=${(/** @type {any} */ e) => setSince(e.currentTarget.value)}>
        ${WINDOWS.map(([v, text]) => html`<option key=${v} value=${v}>${text}</option>`)}</select></label>
      <label>Chart <select name="metric" value=${metric} onChange=${(/** @type {any} */ e) => setMetric(e.currentTarget.value)}>
        ${METRICS.map((m) => html`<option key=${m} value=${m}>${m}</option>`)}</select></label>
      <button type="submit">Refresh</button>
      ${data && rows.length > 0 ? html`<${CsvLink} rows=${data.data} by=${by} since=${since} />` : null}
    </form>
    <${Notice} error=${error} />
    ${!data ? (error ? null : html`<p class="loading">Loading usage…</p>`) : rows.length === 0 ? html`<p class="muted">No requests in this window.</p>` : html`
      <${BarChart} title=${`${metric} by ${by}, ${WINDOWS.find(([v]) => v === since)?.[1]}`} rows=${rows.map((g) => ({ label: label(g), value: value(g) }))} format=${count} />
      <div class="table-wrap"><table aria-label=${`Usage by ${by}`}>
        <thead><tr><th>${by}</th><th class="num">Requests</th><th class="num">Errors</th><th class="num">Input tokens</th><th class="num">Output tokens</th>
          <th class="num">Cached</th><th class="num">Median first byte</th><th class="num">Median duration</th></tr></thead>
        <tbody>${rows.map((g) => html`<tr key=${g.group ?? ''}>
          <td>${label(g)}</td><td class="num">${count(g.requests)}</td><td class="num">${count(g.errors)}</td>
          <td class="num">${count(g.tokens.input)}</td><td class="num">${count(g.tokens.output)}</td><td class="num">${count(g.tokens.cached)}</td>
          <td class="num">${millis(g.p50_ttfb_ms)}</td><td class="num">${millis(g.p50_duration_ms)}</td></tr>`)}</tbody>
      </table></div>`}`;
}

/** @param {{rows: UsageGroup[], by: string, since: string}} props */
function CsvLink({ rows, by, since }) {
  const [href, setHref] = useState('');
  const last = useRef('');
  useEffect(() => {
    const header = [by, 'requests', 'errors', 'input_tokens', 'output_tokens', 'cached_tokens', 'reasoning_tokens', 'p50_ttfb_ms', 'p50_duration_ms'];
    const lines = rows.map((g) => [label(g), g.requests, g.errors, g.tokens.input, g.tokens.output, g.tokens.cached, g.tokens.reasoning, g.p50_ttfb_ms ?? '', g.p50_duration_ms ?? '']);
    const text = [header, ...lines].map((line) => line.map(csvField).join(',')).join('\r\n') + '\r\n';
    const url = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
    if (last.current) URL.revokeObjectURL(last.current);
    last.current = url;
    setHref(url);
  }, [rows, by]);
  return href ? html`<a class="button" href=${href} download=${`byokey-usage-by-${by}-${since}.csv`}>Export CSV</a>` : null;
}

/** A CSV field, quoted when it must be; a leading = + - @ is neutralised so a spreadsheet does not run it. @param {unknown} v */
function csvField(v) {
  let text = String(v);
  if (typeof v === 'string' && /^[=+\-@]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
