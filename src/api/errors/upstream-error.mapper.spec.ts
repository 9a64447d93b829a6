// mapUpstreamError: what the client sees for each upstream failure (status, type, code,
// message, headers), before the response started.
import type { GatewayError } from '../../common/gateway-error';
import { UpstreamError, type UpstreamErrorDetails } from '../../upstream/upstream-error';
import { mapUpstreamError } from './upstream-error.mapper';

function upstream(details: Partial<UpstreamErrorDetails> & Pick<UpstreamErrorDetails, 'failure'>, message = 'upstream said no') {
  return new UpstreamError(message, { instance: 'openai', ...details });
}

const shape = (e: GatewayError) => ({ status: e.status, type: e.type, code: e.code, param: e.param, headers: e.headers });

describe('mapUpstreamError', () => {
  it.each<[number, string]>([
    [400, 'invalid_request_error'],
    [404, 'not_found_error'],
    [409, 'invalid_request_error'],
    [413, 'request_too_large'],
    [422, 'invalid_request_error'],
  ])('keeps an upstream %i with type %s, code and param, and names the upstream', (status, type) => {
    const error = mapUpstreamError(
      upstream({ failure: 'status', status, upstreamMessage: 'bad field', upstreamCode: 'invalid_value', upstreamParam: 'temperature' }),
    );
    expect(shape(error)).toStrictEqual({ status, type, code: 'invalid_value', param: 'temperature', headers: {} });
    expect(error.message).toBe(`bad field (from upstream openai, HTTP ${status})`);
  });

  it('keeps a 429 as rate_limit_error with retry-after and retry-after-ms', () => {
    const cause = upstream({
      failure: 'status',
      status: 429,
      upstreamMessage: 'Rate limit reached',
      upstreamCode: 'rate_limit_exceeded',
      headers: { 'retry-after': '12', 'retry-after-ms': '11500' },
    });
    const error = mapUpstreamError(cause);
    expect(shape(error)).toStrictEqual({
      status: 429,
      type: 'rate_limit_error',
      code: 'rate_limit_exceeded',
      param: null,
      headers: { 'retry-after': '12', 'retry-after-ms': '11500' },
    });
    expect(error.cause).toBe(cause);
  });

  it.each<[number, string]>([
    [401, 'authentication_error'],
    [403, 'permission_error'],
  ])("says an upstream %i rejected the gateway's credential, not the client's", (status, type) => {
    const error = mapUpstreamError(upstream({ failure: 'status', status, upstreamMessage: 'Incorrect API key provided' }));
    expect([error.status, error.type]).toEqual([status, type]);
    expect(error.message).toBe(`upstream openai rejected the gateway's credential (HTTP ${status}): Incorrect API key provided`);
  });

  it('says so when a 4xx carried no message', () => {
    expect(mapUpstreamError(upstream({ failure: 'status', status: 400 })).message).toBe(
      'no error message (from upstream openai, HTTP 400)',
    );
  });

  it.each([500, 502, 503])('turns an upstream %i into 502 upstream_error, keeping its retry-after', (status) => {
    const error = mapUpstreamError(
      upstream({ failure: 'status', status, upstreamMessage: 'overloaded', upstreamParam: 'x', headers: { 'retry-after': '1' } }),
    );
    expect(shape(error)).toStrictEqual({ status: 502, type: 'server_error', code: 'upstream_error', param: null, headers: { 'retry-after': '1' } });
    expect(error.message).toBe(`upstream openai failed (HTTP ${status}): overloaded`);
  });

  it.each<[UpstreamErrorDetails['failure'], string | undefined]>([
    ['status', undefined],
    ['stream', undefined],
    ['status', 'overloaded_error'],
  ])('turns an overloaded upstream (%s 529, type %s) into 503 overloaded_error, keeping its retry-after', (failure, upstreamType) => {
    const error = mapUpstreamError(
      upstream({ failure, status: upstreamType ? 500 : 529, upstreamType, upstreamMessage: 'Overloaded', headers: { 'retry-after': '3' } }),
    );
    expect(shape(error)).toStrictEqual({ status: 503, type: 'overloaded_error', code: 'overloaded', param: null, headers: { 'retry-after': '3' } });
    expect(error.message).toBe('upstream openai is overloaded: Overloaded');
  });

  it.each<[UpstreamErrorDetails['failure'], number, string, string]>([
    ['connect', 502, 'server_error', 'upstream_unreachable'],
    ['timeout', 504, 'timeout_error', 'upstream_timeout'],
    ['protocol', 502, 'server_error', 'upstream_protocol_error'],
    ['aborted', 499, 'invalid_request_error', 'client_closed_request'],
  ])('maps a %s failure to %i %s/%s with the upstream message', (failure, status, type, code) => {
    const cause = upstream({ failure }, `what happened with ${failure}`);
    const error = mapUpstreamError(cause);
    expect(shape(error)).toStrictEqual({ status, type, code, param: null, headers: {} });
    expect(error.message).toBe(`what happened with ${failure}`);
    expect(error.cause).toBe(cause);
  });

  it.each<[string, Partial<UpstreamErrorDetails>, ReturnType<typeof shape>]>([
    [
      'an in-stream 429 keeps its status and headers',
      { status: 429, upstreamCode: 'rate_limit_exceeded', headers: { 'retry-after': '3' } },
      { status: 429, type: 'rate_limit_error', code: 'rate_limit_exceeded', param: null, headers: { 'retry-after': '3' } },
    ],
    [
      'an in-stream error without status becomes 502',
      {},
      { status: 502, type: 'server_error', code: 'upstream_error', param: null, headers: {} },
    ],
    [
      'an in-stream 500 becomes 502',
      { status: 500, upstreamCode: 'server_error' },
      { status: 502, type: 'server_error', code: 'server_error', param: null, headers: {} },
    ],
  ])('maps a stream failure: %s', (_label, details, expected) => {
    expect(shape(mapUpstreamError(upstream({ failure: 'stream', ...details })))).toStrictEqual(expected);
  });
});
