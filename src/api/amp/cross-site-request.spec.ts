import { isCrossSiteRequest } from './cross-site-request';

describe('isCrossSiteRequest', () => {
  it('is false for a client that is no browser (no Origin, no Sec-Fetch-Site)', () => {
    expect(isCrossSiteRequest({ host: '127.0.0.1:8018', 'user-agent': 'amp' })).toBe(false);
  });

  it('is false for a page of the gateway itself', () => {
    expect(isCrossSiteRequest({ host: '127.0.0.1:8018', origin: 'http://127.0.0.1:8018', 'sec-fetch-site': 'same-origin' })).toBe(false);
    expect(isCrossSiteRequest({ host: '127.0.0.1:8018', 'sec-fetch-site': 'none' })).toBe(false);
  });

  it('is true for another site, by Sec-Fetch-Site or by Origin', () => {
    expect(isCrossSiteRequest({ host: '127.0.0.1:8018', 'sec-fetch-site': 'cross-site' })).toBe(true);
    expect(isCrossSiteRequest({ host: '127.0.0.1:8018', 'sec-fetch-site': 'same-site' })).toBe(true);
    expect(isCrossSiteRequest({ host: '127.0.0.1:8018', origin: 'https://evil.example' })).toBe(true);
    expect(isCrossSiteRequest({ host: '127.0.0.1:8018', origin: 'http://127.0.0.1:9999' })).toBe(true);
    expect(isCrossSiteRequest({ host: '127.0.0.1:8018', origin: 'null' })).toBe(true);
  });
});
