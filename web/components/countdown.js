// A time that counts down (or up) live: "in 4 min", or mm:ss with `clock`.
import { clock, span } from '../format.js';
import { html, useEffect, useState } from '../html.js';

/** Re-renders its caller every second. */
export function useNow() {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/**
 * `label` makes it a named timer (role=timer) that a screen reader can find, for a countdown
 * that matters on its own, like a device code's.
 * @param {{to: string, asClock?: boolean, label?: string}} props
 */
export function Countdown({ to, asClock = false, label }) {
  const now = useNow();
  const left = Date.parse(to) - now;
  return html`<time datetime=${to} title=${new Date(to).toLocaleString()} role=${label ? 'timer' : undefined} aria-label=${label}>${asClock ? clock(left) : span(left)}</time>`;
}
