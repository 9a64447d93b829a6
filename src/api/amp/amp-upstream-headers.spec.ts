import { ampRequestHeaders, ampResponseHeaders } from './amp-upstream-headers';

const OUR_KEY = 'byokey-client-key-1';
const isClientKey = (value: string) => value === OUR_KEY;

describe('ampRequestHeaders', () => {
  it('drops connection, forwarding and fingerprint headers, and those the connection header names; keeps the rest', () => {
    const out = ampRequestHeaders(
      {
        host: 'gateway:8018',
        connection: 'keep-alive, x-hop',
        'x-hop': 'a',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        expect: '100-continue',
        'x-forwarded-for': '10.0.0.1',
        forwarded: 'for=10.0.0.1',
        via: '1.1 lb',
        'x-real-ip': '10.0.0.1',
        'sec-ch-ua-platform': '"Linux"',
        'sec-fetch-mode': 'cors',
        'content-type': 'application/json',
        'content-length': '12',
        'user-agent': 'amp/1.0',
        cookie: 'session=abc',
        accept: ['text/event-stream', 'application/json'] as unknown as string,
      },
      { isClientKey },
    );
    expect(out).toEqual({ 'content-type': 'application/json', 'content-length': '12', 'user-agent': 'amp/1.0', cookie: 'session=abc', accept: 'text/event-stream, application/json' });
  });

  it('keeps the client key of this gateway from the upstream, in whichever header it came, and lets Amp\'s own credentials pass', () => {
    expect(ampRequestHeaders({ authorization: `Bearer ${OUR_KEY}`, 'x-api-key': 'amp-key' }, { isClientKey })).toEqual({ 'x-api-key': 'amp-key' });
    expect(ampRequestHeaders({ authorization: 'Bearer amp-token', 'x-api-key': OUR_KEY }, { isClientKey })).toEqual({ authorization: 'Bearer amp-token' });
    expect(ampRequestHeaders({ 'x-goog-api-key': ` ${OUR_KEY} ` }, { isClientKey })).toEqual({});
  });

  it('with an upstream key, sends it in place of whatever credentials the client sent', () => {
    const out = ampRequestHeaders({ authorization: 'Bearer amp-token', 'x-api-key': 'other', 'x-goog-api-key': 'g' }, { isClientKey, upstreamKey: 'shared-amp-key' });
    expect(out).toEqual({ authorization: 'Bearer shared-amp-key', 'x-api-key': 'shared-amp-key' });
  });
});

describe('ampResponseHeaders', () => {
  it('passes the upstream\'s headers but the connection\'s own, its request id and CORS grants', () => {
    const out = ampResponseHeaders({
      'content-type': 'text/event-stream',
      'set-cookie': ['a=1', 'b=2'],
      connection: 'keep-alive',
      'keep-alive': 'timeout=5',
      'transfer-encoding': 'chunked',
      'x-request-id': 'upstream-id',
      'content-encoding': 'gzip',
      'x-amp-thing': 'yes',
      'access-control-allow-origin': 'https://ampcode.com',
      absent: undefined,
    });
    expect(out).toEqual({ 'content-type': 'text/event-stream', 'set-cookie': ['a=1', 'b=2'], 'content-encoding': 'gzip', 'x-amp-thing': 'yes' });
  });
});
