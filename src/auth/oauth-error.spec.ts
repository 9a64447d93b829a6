// Covers oauth-error.ts: both error-body shapes (RFC 6749 and OpenAI's nested one), which
// failures are permanent, and messages that advise and never carry a secret we sent.
import { isPermanentOAuthFailure, OAuthError, readOAuthErrorBody, redact, tokenEndpointError } from './oauth-error';

const codex = { provider: 'codex', displayName: 'ChatGPT (Codex)' };

describe('readOAuthErrorBody', () => {
  it("reads RFC 6749's flat shape", () => {
    expect(readOAuthErrorBody({ error: 'invalid_grant', error_description: 'Refresh token revoked' })).toEqual({
      code: 'invalid_grant',
      description: 'Refresh token revoked',
      interval: undefined,
    });
  });

  it("reads OpenAI's nested shape", () => {
    const body = { error: { message: 'already used', type: 'invalid_request_error', param: null, code: 'refresh_token_reused' } };
    expect(readOAuthErrorBody(body)).toMatchObject({ code: 'refresh_token_reused', description: 'already used' });
  });

  it("falls back to the nested `type` when `code` is null", () => {
    expect(readOAuthErrorBody({ error: { message: 'm', type: 'server_error', code: null } }).code).toBe('server_error');
  });

  it('reads the interval GitHub sends with slow_down', () => {
    expect(readOAuthErrorBody({ error: 'slow_down', interval: 10 })).toMatchObject({ code: 'slow_down', interval: 10 });
  });

  it.each([[undefined], ['text'], [{}], [{ error: 42 }]])('finds no code in %j', (body) => {
    expect(readOAuthErrorBody(body).code).toBeUndefined();
  });
});

describe('isPermanentOAuthFailure', () => {
  it.each([
    ['invalid_grant', 400, true],
    ['refresh_token_expired', 400, true],
    ['refresh_token_reused', 401, true],
    ['refresh_token_invalidated', 400, true],
    ['invalid_client', 401, true],
    ['whatever', 401, true],
    ['invalid_grant', undefined, true],
    ['server_error', 500, false],
    ['invalid_grant', 503, false],
    ['temporarily_unavailable', 400, false],
    ['network_error', undefined, false],
    [undefined, 429, false],
  ])('%s with HTTP %s → permanent %s', (code, status, permanent) => {
    expect(isPermanentOAuthFailure(code, status)).toBe(permanent);
    expect(new OAuthError({ provider: 'p', code: code ?? 'x', status, message: 'm' }).permanent).toBe(
      isPermanentOAuthFailure(code ?? 'x', status),
    );
  });
});

describe('tokenEndpointError', () => {
  it('says a refused refresh needs a new login, with the code and status', () => {
    const error = tokenEndpointError(codex, 'refresh', 401, { error: { code: 'refresh_token_reused', message: 'used twice' } }, []);
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({ provider: 'codex', code: 'refresh_token_reused', status: 401, permanent: true });
    expect(error.message).toBe(
      'ChatGPT (Codex): the login is no longer valid (HTTP 401 refresh_token_reused: used twice). Run `byokey login codex` to log in again.',
    );
  });

  it('says a 5xx during refresh may pass, and is not permanent', () => {
    const error = tokenEndpointError(codex, 'refresh', 502, undefined, []);
    expect(error).toMatchObject({ code: 'http_502', permanent: false });
    expect(error.message).toContain('refreshing the access token failed (HTTP 502)');
    expect(error.message).toContain('may be temporary');
    expect(error.message).not.toContain('byokey login');
  });

  it('cuts the secrets we sent out of an echoing description', () => {
    const secret = 'rt_SECRET_refresh_token_value';
    const error = tokenEndpointError(codex, 'refresh', 400, { error: 'invalid_grant', error_description: `token ${secret} is revoked` }, [secret, undefined]);
    expect(error.message).not.toContain(secret);
    expect(error.message).toContain('token [redacted] is revoked');
  });
});

describe('redact', () => {
  it('bounds long descriptions', () => {
    expect(redact('x'.repeat(1000), [])).toHaveLength(301);
  });
});
