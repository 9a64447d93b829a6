import { durationMs, geminiHttpError, geminiStreamError } from './gemini-errors';

const QUOTA = JSON.stringify({
  error: {
    code: 429,
    message: 'You exceeded your current quota',
    status: 'RESOURCE_EXHAUSTED',
    details: [
      { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'RATE_LIMIT_EXCEEDED', domain: 'generativelanguage.googleapis.com' },
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '51.8s' },
    ],
  },
});

describe('Gemini errors', () => {
  it('turns a quota error into a 429 with retry-after (rounded up) and retry-after-ms from RetryInfo', () => {
    const error = geminiHttpError('gemini', 429, {}, QUOTA, 'gemini-key-1');
    expect(error).toMatchObject({ failure: 'status', status: 429, upstreamMessage: 'You exceeded your current quota', upstreamType: 'RESOURCE_EXHAUSTED', upstreamCode: 'RATE_LIMIT_EXCEEDED' });
    expect(error.headers).toEqual({ 'retry-after': '52', 'retry-after-ms': '51800' });
  });

  it('keeps the HTTP retry-after when the body says none, and reads a non-Google body', () => {
    const error = geminiHttpError('gemini', 503, { 'retry-after': '7' }, 'upstream connect error', undefined);
    expect(error.headers).toEqual({ 'retry-after': '7' });
    expect(error.upstreamMessage).toBe('upstream connect error');
  });

  it('redacts the key from what Google quotes back', () => {
    const text = JSON.stringify({ error: { code: 400, message: 'API key not valid: AIzaSyD-secret-key-123', status: 'INVALID_ARGUMENT' } });
    expect(geminiHttpError('gemini', 400, {}, text, 'AIzaSyD-secret-key-123').message).not.toContain('AIzaSyD-secret-key-123');
  });

  it('reads an error chunk of a stream with its status', () => {
    expect(geminiStreamError('gemini', { code: 503, message: 'overloaded', status: 'UNAVAILABLE' })).toMatchObject({ failure: 'stream', status: 503, upstreamType: 'UNAVAILABLE' });
  });

  it('parses protobuf durations', () => {
    expect(durationMs('3s')).toBe(3000);
    expect(durationMs('0.5s')).toBe(500);
    expect(durationMs('later')).toBeUndefined();
  });
});
