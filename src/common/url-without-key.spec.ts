import { urlWithoutKey } from './url-without-key';

describe('urlWithoutKey', () => {
  it('redacts the key parameter wherever it stands, and keeps the rest', () => {
    expect(urlWithoutKey('/v1beta/models/m:generateContent?key=sk-secret')).toBe('/v1beta/models/m:generateContent?key=[redacted]');
    expect(urlWithoutKey('/v1beta/models/m:streamGenerateContent?alt=sse&key=sk-secret&x=1')).toBe('/v1beta/models/m:streamGenerateContent?alt=sse&key=[redacted]&x=1');
    expect(urlWithoutKey('/v1beta/models?KEY=abc')).toBe('/v1beta/models?KEY=[redacted]');
  });

  it('leaves a URL without a key alone', () => {
    expect(urlWithoutKey('/v1/chat/completions')).toBe('/v1/chat/completions');
    expect(urlWithoutKey('/v1beta/models?monkey=1')).toBe('/v1beta/models?monkey=1');
    expect(urlWithoutKey(undefined)).toBeUndefined();
  });
});
