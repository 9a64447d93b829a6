// A subscription's quota windows (5 h, weekly, …) as bars: how much is used and when it resets.
import { html } from '../html.js';
import { Countdown } from './countdown.js';

/** @param {{quota?: import('../api.js').Quota}} props */
export function QuotaBars({ quota }) {
  if (!quota || quota.windows.length === 0) return html`<p class="muted">No quota reported yet (the upstream reports it with each answer).</p>`;
  return html`<ul class="quota" aria-label="Quota windows">
    ${quota.windows.map((w) => {
      const used = Math.max(0, Math.min(100, w.used_percent ?? 0));
      const level = used >= 90 ? 'high' : used >= 70 ? 'mid' : 'low';
      return html`<li key=${w.window}>
        <span class="quota-name" title=${w.window_minutes ? `a ${windowLength(w.window_minutes)} window` : undefined}>${w.window}${w.window_minutes ? html` <span class="muted">${windowLength(w.window_minutes)}</span>` : null}${w.status && w.status !== 'allowed' ? html` <em>${w.status}</em>` : null}</span>
        <span class="bar" role="progressbar" aria-label=${`${w.window} used`} aria-valuemin="0" aria-valuemax="100" aria-valuenow=${used}>
          <span class=${`fill ${level}`} style=${{ width: `${used}%` }}></span>
        </span>
        <span class="quota-used">${w.used_percent === undefined ? '?' : `${Math.round(used)} %`}</span>
        <span class="quota-reset">${w.resets_at ? html`resets <${Countdown} to=${w.resets_at} />` : ''}</span>
      </li>`;
    })}
  </ul>`;
}

/** 300 → "5 h", 10080 → "7 d". @param {number} minutes */
function windowLength(minutes) {
  if (minutes % 1440 === 0) return `${minutes / 1440} d`;
  if (minutes % 60 === 0) return `${minutes / 60} h`;
  return `${minutes} min`;
}
