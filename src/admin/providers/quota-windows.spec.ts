// Quota windows as the admin API shows them, from what Codex and Anthropic report.
import { quotaWindows } from './quota-windows';

const capturedAt = 1_767_000_000_000;

describe('quotaWindows', () => {
  it('reads Codex\'s 5 h and 7 d windows from its headers', () => {
    const report = quotaWindows({
      provider: 'codex',
      accountId: 'work',
      capturedAt,
      headers: {
        'x-codex-primary-used-percent': '12.5',
        'x-codex-primary-window-minutes': '300',
        'x-codex-primary-reset-at': '1767003600',
        'x-codex-secondary-used-percent': '80',
        'x-codex-secondary-window-minutes': '10080',
        'x-codex-secondary-reset-after-seconds': '60',
      },
    });
    expect(report).toEqual({
      capturedAt,
      windows: [
        { window: 'primary', usedPercent: 12.5, windowMinutes: 300, resetsAt: 1_767_003_600_000 },
        { window: 'secondary', usedPercent: 80, windowMinutes: 10080, resetsAt: capturedAt + 60_000 },
      ],
    });
  });

  it('reads a codex.rate_limits frame when there are no headers', () => {
    const report = quotaWindows({
      provider: 'codex',
      accountId: 'work',
      capturedAt,
      headers: {},
      frame: { type: 'codex.rate_limits', rate_limits: { primary: { used_percent: 40, window_minutes: 300, reset_at: 1767230000 } } },
    });
    expect(report.windows).toEqual([{ window: 'primary', usedPercent: 40, windowMinutes: 300, resetsAt: 1_767_230_000_000 }]);
  });

  it('reads Anthropic\'s unified limits, resets as unix seconds or timestamps', () => {
    const report = quotaWindows({
      provider: 'claude',
      accountId: 'max',
      capturedAt,
      headers: {
        'anthropic-ratelimit-unified-status': 'allowed',
        'anthropic-ratelimit-unified-5h-status': 'allowed_warning',
        'anthropic-ratelimit-unified-5h-reset': '1767003600',
        'anthropic-ratelimit-unified-7d-status': 'allowed',
        'anthropic-ratelimit-unified-7d-reset': '2026-01-05T00:00:00Z',
      },
    });
    expect(report.windows).toEqual([
      { window: 'unified', status: 'allowed', resetsAt: undefined },
      { window: '5h', status: 'allowed_warning', resetsAt: 1_767_003_600_000 },
      { window: '7d', status: 'allowed', resetsAt: Date.parse('2026-01-05T00:00:00Z') },
    ]);
  });

  it('reports no window when nothing was said', () => {
    expect(quotaWindows({ provider: 'codex', accountId: 'x', capturedAt, headers: { 'x-codex-plan-type': 'plus' } }).windows).toEqual([]);
  });
});
