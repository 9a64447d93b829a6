// Per-minute limits (rpm, tpm) count in the clock's minutes: a burst that straddles a minute's end
// gets a fresh allowance halfway through. A test whose requests must share one window waits out
// the end of a minute that is about to close.

/** Returns at once unless fewer than `marginMs` are left in this minute; then waits into the next. */
export async function awayFromMinuteEnd(marginMs = 5000): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}
