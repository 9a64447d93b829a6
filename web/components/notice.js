// Messages at the top of a page: what failed (the API's own words) or what just happened.
import { html } from '../html.js';

/** @param {{error?: unknown, done?: string | null}} props */
export function Notice({ error, done }) {
  if (error) return html`<p class="notice error" role="alert">${error instanceof Error ? error.message : String(error)}</p>`;
  if (done) return html`<p class="notice done" role="status">${done}</p>`;
  return null;
}
