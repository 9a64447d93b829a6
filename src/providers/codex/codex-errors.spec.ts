// The Codex backend's errors (wire-protocols.md §1.7) as UpstreamErrors with the right status,
// message and retry-after.
import { codexErrorEvent, codexFailedResponse, codexHttpError } from './codex-errors';

const NOW = 1_777_923_000_000;

describe('codexHttpError', () => {
  it('reads a FastAPI detail', () => {
    const error = codexHttpError('codex', 400, {}, JSON.stringify({ detail: 'Store must be set to false' }), { now: NOW });
    expect(error).toMatchObject({ failure: 'status', status: 400, upstreamMessage: 'Store must be set to false' });
    expect(error.headers).toEqual({});
  });

  it('turns usage_limit_reached into a retry-after from resets_at', () => {
    const body = { error: { type: 'usage_limit_reached', message: 'The usage limit has been reached', plan_type: 'plus', resets_at: NOW / 1000 + 3600, resets_in_seconds: 99 } };
    const error = codexHttpError('codex', 429, {}, JSON.stringify(body), { now: NOW });
    expect(error).toMatchObject({ status: 429, upstreamCode: 'usage_limit_reached', upstreamMessage: 'The usage limit has been reached' });
    expect(error.headers['retry-after']).toBe('3600');
  });

  it('falls back to resets_in_seconds, then to the retry-after header', () => {
    const inSeconds = codexHttpError('codex', 429, {}, JSON.stringify({ error: { type: 'usage_limit_reached', resets_in_seconds: 13872 } }), { now: NOW });
    expect(inSeconds.headers['retry-after']).toBe('13872');
    const header = codexHttpError('codex', 429, { 'retry-after': '30' }, 'slow down', { now: NOW });
    expect(header.headers['retry-after']).toBe('30');
    expect(header.upstreamMessage).toBe('slow down');
  });

  it("turns the backend's 400 for a model it does not serve into a 404 model_not_found, keeping its words", () => {
    const detail = "The 'gpt-0-nope' model is not supported when using Codex with a ChatGPT account.";
    const error = codexHttpError('codex', 400, {}, JSON.stringify({ detail }), { now: NOW });
    expect(error).toMatchObject({ failure: 'status', status: 404, upstreamCode: 'model_not_found', upstreamParam: 'model', upstreamMessage: detail });
  });

  it("passes the Platform's own 404 for an unknown model through, and leaves other 400s alone", () => {
    const platform = { error: { message: 'The model `gpt-0-nope` does not exist or you do not have access to it.', type: 'invalid_request_error', param: null, code: 'model_not_found' } };
    expect(codexHttpError('codex', 404, {}, JSON.stringify(platform), { now: NOW })).toMatchObject({ status: 404, upstreamCode: 'model_not_found' });
    expect(codexHttpError('codex', 400, {}, JSON.stringify({ detail: 'Unsupported parameter: temperature' }), { now: NOW })).toMatchObject({ status: 400 });
  });

  it("keeps the Platform's retry-after-ms beside retry-after (routing rests the key for the exact wait)", () => {
    const error = codexHttpError('codex', 429, { 'retry-after': '1', 'retry-after-ms': '300' }, '{"error":{"message":"Rate limit reached"}}', { now: NOW });
    expect(error.headers).toEqual({ 'retry-after': '1', 'retry-after-ms': '300' });
  });
});

describe('codexErrorEvent', () => {
  it('makes an error frame refusing the model a 404 too (WebSocket)', () => {
    const message = "The 'gpt-0-nope' model is not supported when using Codex with a ChatGPT account.";
    const error = codexErrorEvent('codex', { type: 'error', status: 400, error: { type: 'invalid_request_error', message } }, { now: NOW });
    expect(error).toMatchObject({ failure: 'stream', status: 404, upstreamCode: 'model_not_found', upstreamMessage: message });
  });

  it('reads the wrapped Codex shape with status and headers', () => {
    const error = codexErrorEvent(
      'codex',
      { type: 'error', status: 429, error: { type: 'usage_limit_reached', message: 'limit', resets_in_seconds: 60 }, headers: { 'X-Codex-Primary-Used-Percent': '100' } },
      { now: NOW },
    );
    expect(error).toMatchObject({ failure: 'stream', status: 429, upstreamCode: 'usage_limit_reached', upstreamMessage: 'limit' });
    expect(error.headers['retry-after']).toBe('60');
  });

  it('accepts status_code as an alias, and the spec shape {code, message}', () => {
    expect(codexErrorEvent('codex', { type: 'error', status_code: 503, error: { message: 'busy' } }).status).toBe(503);
    const spec = codexErrorEvent('codex', { type: 'error', code: 'server_error', message: 'boom', param: null });
    expect(spec).toMatchObject({ upstreamCode: 'server_error', upstreamMessage: 'boom', status: undefined });
  });

  it('takes the status from the code when the event states none, as response.failed does', () => {
    expect(codexErrorEvent('codex', { type: 'error', code: 'rate_limit_exceeded', message: 'slow down', param: null }).status).toBe(429);
    expect(codexErrorEvent('codex', { type: 'error', error: { type: 'usage_limit_reached', message: 'limit' } }).status).toBe(429);
    // A stated status wins over the code's.
    expect(codexErrorEvent('codex', { type: 'error', status: 503, error: { code: 'rate_limit_exceeded', message: 'x' } }).status).toBe(503);
  });

  it('recognises the 60-minute connection limit', () => {
    const error = codexErrorEvent('codex', {
      type: 'error',
      status: 400,
      error: { type: 'invalid_request_error', code: 'websocket_connection_limit_reached', message: 'Responses websocket connection limit reached (60 minutes).' },
    });
    expect(error.upstreamCode).toBe('websocket_connection_limit_reached');
  });
});

describe('codexFailedResponse', () => {
  it.each([
    ['context_length_exceeded', 400],
    ['insufficient_quota', 429],
    ['usage_not_included', 403],
    ['server_is_overloaded', 503],
    ['usage_limit_reached', 429],
    ['something_new', 502],
  ])('maps %s to %i', (code, status) => {
    expect(codexFailedResponse('codex', { error: { code, message: 'x' } }).status).toBe(status);
  });

  it('reads the wait out of "try again in 11.054s" and "in 250ms"', () => {
    const seconds = codexFailedResponse('codex', { error: { code: 'rate_limit_exceeded', message: 'Rate limit reached for gpt-5.1-codex. Please try again in 11.054s.' } });
    expect(seconds).toMatchObject({ status: 429, upstreamCode: 'rate_limit_exceeded' });
    expect(seconds.headers['retry-after']).toBe('12');
    const ms = codexFailedResponse('codex', { error: { code: 'rate_limit_exceeded', message: 'Please try again in 250ms.' } });
    expect(ms.headers['retry-after']).toBe('1');
  });
});

describe('secrets', () => {
  // A Codex access token is a JWT; the upstream may quote it in any of its error shapes.
  const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJl';

  it('are redacted from HTTP errors, error events and failed responses', () => {
    const errors = [
      codexHttpError('codex', 401, {}, JSON.stringify({ detail: `Could not validate token ${token}` }), { secret: token }),
      codexErrorEvent('codex', { type: 'error', status: 401, error: { type: 'invalid_token', message: `bad token eyJhbGci...c2lnbmF0dXJl` } }, { secret: token }),
      codexFailedResponse('codex', { error: { code: 'server_error', message: `Authorization: Bearer ${token}` } }, { secret: token }),
    ];
    for (const error of errors) {
      expect(`${error.message} ${error.upstreamMessage}`).toContain('[redacted]');
      expect(`${error.message} ${error.upstreamMessage} ${error.stack}`).not.toContain('c2lnbmF0dXJl');
    }
  });
});
