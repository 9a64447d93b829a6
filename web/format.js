// How the console writes numbers, times and durations: short, and the same on every page.

/** @param {number} n */
export function count(n) {
  return new Intl.NumberFormat('en', { notation: n >= 100_000 ? 'compact' : 'standard', maximumFractionDigits: 1 }).format(n);
}

/** @param {number | null | undefined} ms */
export function millis(ms) {
  if (ms === null || ms === undefined) return '—';
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)} s` : `${Math.round(ms)} ms`;
}

/** "in 4 min", "3 h 12 min ago": a span from now, to the minute (seconds under two minutes). @param {number} ms */
export function span(ms) {
  const abs = Math.abs(ms);
  const s = Math.round(abs / 1000);
  let text;
  if (s < 120) text = `${s} s`;
  else if (s < 3600) text = `${Math.floor(s / 60)} min`;
  else if (s < 86_400) text = s % 3600 < 60 ? `${Math.floor(s / 3600)} h` : `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  else text = `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
  return ms >= 0 ? `in ${text}` : `${text} ago`;
}

/** mm:ss (or h:mm:ss) left, for a countdown. @param {number} ms */
export function clock(ms) {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const two = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return s >= 3600 ? `${Math.floor(s / 3600)}:${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}` : `${two(Math.floor(s / 60))}:${two(s % 60)}`;
}

/** A date and time in the reader's zone. @param {string | null | undefined} iso */
export function when(iso) {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Input plus output tokens (cached and reasoning are parts of those). @param {{input: number, output: number}} t */
export function totalTokens(t) {
  return t.input + t.output;
}
