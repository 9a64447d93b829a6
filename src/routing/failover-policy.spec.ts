// Which failures move a request on, and how long a credential rests after one.
import { GatewayError } from '../common/gateway-error';
import { UpstreamError, type UpstreamErrorDetails } from '../upstream/upstream-error';
import { cooldownUntil, isRetryable, retryAfterMs } from './failover-policy';

const upstream = (details: Partial<UpstreamErrorDetails>) => new UpstreamError('x', { failure: 'status', instance: 'i', ...details });

describe('isRetryable', () => {
  it.each<[string, unknown, boolean]>([
    ['a refused connection', upstream({ failure: 'connect' }), true],
    ['a timeout', upstream({ failure: 'timeout' }), true],
    ['429', upstream({ status: 429 }), true],
    ['408', upstream({ status: 408 }), true],
    ['500', upstream({ status: 500 }), true],
    ['529', upstream({ status: 529 }), true],
    ['a rejected key (401)', upstream({ status: 401 }), true],
    ['400 about the request', upstream({ status: 400 }), false],
    ['404', upstream({ status: 404 }), false],
    ['413', upstream({ status: 413 }), false],
    ['an in-stream overload before content', upstream({ failure: 'stream', status: 503 }), true],
    ['an in-stream context error', upstream({ failure: 'stream', status: 400 }), false],
    ['a broken protocol', upstream({ failure: 'protocol' }), false],
    ['a cancelled call', upstream({ failure: 'aborted' }), false],
    ['an account that needs a login', new GatewayError(401, 'login', { type: 'authentication_error' }), true],
    ['a token server that is down', new GatewayError(503, 'down', { type: 'server_error' }), true],
    ['a bad request the gateway saw', new GatewayError(400, 'bad', { type: 'invalid_request_error' }), false],
    ['a bug', new Error('boom'), false],
  ])('%s → %s', (_what, error, expected) => {
    expect(isRetryable(error)).toBe(expected);
  });
});

describe('cooldownUntil', () => {
  const NOW = 1_000_000;

  it('rests a 429 for as long as retry-after says, in seconds', () => {
    expect(cooldownUntil(upstream({ status: 429, headers: { 'retry-after': '30' } }), NOW, 60_000)).toEqual({ until: NOW + 30_000, reason: 'rate limited (429)' });
  });

  it('prefers retry-after-ms, names the upstream code, and falls back to the default', () => {
    expect(cooldownUntil(upstream({ status: 429, headers: { 'retry-after-ms': '1500', 'retry-after': '30' } }), NOW, 60_000)?.until).toBe(NOW + 1500);
    expect(cooldownUntil(upstream({ status: 429, upstreamCode: 'usage_limit_reached' }), NOW, 60_000)).toEqual({ until: NOW + 60_000, reason: 'usage_limit_reached' });
  });

  it("rests a spent quota (Google's QUOTA_EXHAUSTED) for the whole window at least; a rate limit (RATE_LIMIT_EXCEEDED) for its delay", () => {
    const limit = (reason: string, delay: string) => upstream({ status: 429, upstreamCode: reason, headers: { 'retry-after': delay } });
    expect(cooldownUntil(limit('QUOTA_EXHAUSTED', '3'), NOW, 60_000)).toEqual({ until: NOW + 60_000, reason: 'QUOTA_EXHAUSTED' });
    expect(cooldownUntil(limit('QUOTA_EXHAUSTED', '3600'), NOW, 60_000)?.until).toBe(NOW + 3_600_000);
    expect(cooldownUntil(upstream({ status: 429, upstreamCode: 'QUOTA_EXHAUSTED' }), NOW, 60_000)?.until).toBe(NOW + 60_000);
    expect(cooldownUntil(limit('RATE_LIMIT_EXCEEDED', '3'), NOW, 60_000)).toEqual({ until: NOW + 3_000, reason: 'RATE_LIMIT_EXCEEDED' });
  });

  it('rests a rejected key for the default, and nothing else rests', () => {
    expect(cooldownUntil(upstream({ status: 403 }), NOW, 5_000)?.until).toBe(NOW + 5_000);
    expect(cooldownUntil(upstream({ status: 500 }), NOW, 5_000)).toBeUndefined();
    expect(cooldownUntil(upstream({ failure: 'connect' }), NOW, 5_000)).toBeUndefined();
    expect(cooldownUntil(new GatewayError(401, 'login', { type: 'authentication_error' }), NOW, 5_000)).toBeUndefined();
  });
});

describe('retryAfterMs', () => {
  it('reads seconds, milliseconds and HTTP dates', () => {
    const now = Date.parse('2026-11-25T12:00:00Z');
    expect(retryAfterMs({ 'retry-after': '7' }, now)).toBe(7000);
    expect(retryAfterMs({ 'retry-after-ms': '250' }, now)).toBe(250);
    expect(retryAfterMs({ 'retry-after': 'Wed, 25 Nov 2026 12:01:00 GMT' }, now)).toBe(60_000);
    expect(retryAfterMs({ 'retry-after': 'soon' }, now)).toBeUndefined();
    expect(retryAfterMs({}, now)).toBeUndefined();
  });
});
