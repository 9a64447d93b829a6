// A horizontal SVG bar chart: one bar per row, scaled to the largest value, labelled in text so
// it reads without colour.
import { html } from '../html.js';

const ROW = 26;
const LABEL = 180;
const WIDTH = 640;

/** @param {{rows: Array<{label: string, value: number}>, title: string, format?: (n: number) => string}} props */
export function BarChart({ rows, title, format = String }) {
  if (rows.length === 0) return null;
  const max = Math.max(1, ...rows.map((r) => r.value));
  const height = rows.length * ROW + 4;
  const room = WIDTH - LABEL - 70;
  return html`<figure class="chart">
    <svg viewBox=${`0 0 ${WIDTH} ${height}`} role="img" aria-label=${title} preserveAspectRatio="xMinYMin meet">
      ${rows.map((row, i) => {
        const y = i * ROW + 2;
        const w = Math.max(1, (row.value / max) * room);
        return html`<g key=${row.label}>
          <text x=${LABEL - 8} y=${y + 17} text-anchor="end" class="chart-label">${row.label.length > 26 ? `${row.label.slice(0, 25)}…` : row.label}</text>
          <rect x=${LABEL} y=${y + 3} width=${w} height=${ROW - 8} rx="3" class="chart-bar"></rect>
          <text x=${LABEL + w + 6} y=${y + 17} class="chart-value">${format(row.value)}</text>
        </g>`;
      })}
    </svg>
    <figcaption>${title}</figcaption>
  </figure>`;
}
