// Client sessions that were told to use HTTP. The model is only known once a response.create
// arrives, after the upgrade; when it has no Responses path the socket closes, and the Codex CLI
// reconnects. Refusing that reconnect with 426 — known by its session header — is what makes the
// CLI fall back to HTTP at once instead of after five slow retries. Bounded and short-lived.

/** How long a session keeps its hint (the CLI falls back for good after the first 426). */
export const FALLBACK_HINT_MS = 10 * 60_000;
const MAX_HINTS = 1000;

export class FallbackHints {
  private readonly until = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  add(session: string): void {
    this.until.delete(session);
    // A Map iterates in insertion order: the first key is the oldest.
    if (this.until.size >= MAX_HINTS) this.until.delete(this.until.keys().next().value as string);
    this.until.set(session, this.now() + FALLBACK_HINT_MS);
  }

  /** True (once) when the session was told to use HTTP within the last FALLBACK_HINT_MS. */
  take(session: string): boolean {
    const until = this.until.get(session);
    if (until === undefined) return false;
    this.until.delete(session);
    return until > this.now();
  }
}
