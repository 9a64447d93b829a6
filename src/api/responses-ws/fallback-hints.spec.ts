import { FALLBACK_HINT_MS, FallbackHints } from './fallback-hints';

describe('FallbackHints', () => {
  it('answers once for a session told to use HTTP, and not after the hint expired', () => {
    let now = 1_000;
    const hints = new FallbackHints(() => now);
    hints.add('sess-a');
    hints.add('sess-b');
    expect(hints.take('sess-a')).toBe(true);
    expect(hints.take('sess-a')).toBe(false);
    expect(hints.take('sess-c')).toBe(false);
    now += FALLBACK_HINT_MS + 1;
    expect(hints.take('sess-b')).toBe(false);
  });

  it('stays bounded, forgetting the oldest first', () => {
    const hints = new FallbackHints(() => 0);
    for (let i = 0; i <= 1000; i++) hints.add(`sess-${i}`);
    expect(hints.take('sess-0')).toBe(false);
    expect(hints.take('sess-1000')).toBe(true);
  });
});
