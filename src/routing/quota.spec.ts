// quotaUsed: how full an account's window is, from what its upstream last said.
import { quotaUsed } from './quota';

const snapshot = (headers: Record<string, string>, frame?: Record<string, unknown>) => ({ provider: 'p', accountId: 'a', headers, frame, capturedAt: 0 });

describe('quotaUsed', () => {
  it('takes the fuller of the Codex windows', () => {
    expect(quotaUsed(snapshot({ 'x-codex-primary-used-percent': '42', 'x-codex-secondary-used-percent': '91.5' }))).toBeCloseTo(0.915);
    expect(quotaUsed(snapshot({}, { rate_limits: { primary: { used_percent: 12.5 }, secondary: { used_percent: 3 } } }))).toBeCloseTo(0.125);
  });

  it('reads Anthropic unified window statuses', () => {
    expect(quotaUsed(snapshot({ 'anthropic-ratelimit-unified-5h-status': 'allowed_warning' }))).toBe(0.9);
    expect(quotaUsed(snapshot({ 'anthropic-ratelimit-unified-7d-status': 'rejected' }))).toBe(1);
    expect(quotaUsed(snapshot({ 'anthropic-ratelimit-unified-status': 'allowed' }))).toBeUndefined();
  });

  it('knows nothing when the upstream said nothing', () => {
    expect(quotaUsed(snapshot({ 'x-ratelimit-remaining-requests': '10' }))).toBeUndefined();
  });
});
