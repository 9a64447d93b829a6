// iFlow's login turns its OAuth token into the API key its requests take: after the code
// exchange and after every refresh, GET /api/oauth/getUserInfo on the token endpoint's host.
import { MockAgent } from 'undici';
import { OAuthError } from '../../auth/oauth-error';
import { refreshTokens } from '../../auth/token-client';
import { IFLOW_OAUTH } from './iflow.oauth';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
describe("iFlow's completeTokens step (the API key for the token)", () => {
  let agent: MockAgent;
  beforeEach(() => {
    agent = new MockAgent();
    agent.disableNetConnect();
  });
  afterEach(() => agent.close());

  const definition = { ...IFLOW_OAUTH, tokenUrl: 'https://iflow.test/oauth/token' };

  function answers(token: object, userInfo: object) {
    const pool = agent.get('https://iflow.test');
    pool.intercept({ path: '/oauth/token', method: 'POST' }).reply(200, JSON.stringify(token), { headers: { 'content-type': 'application/json' } });
    const asked: string[] = [];
    pool
      .intercept({ path: (path) => path.startsWith('/api/oauth/getUserInfo'), method: 'GET' })
      .reply((opts) => {
        asked.push(String(opts.path));
        return { statusCode: 200, data: JSON.stringify(userInfo), responseOptions: { headers: { 'content-type': 'application/json' } } };
      });
    return asked;
  }

  it('stores the API key getUserInfo gives for the new access token, labelled with the e-mail', async () => {
    const asked = answers({ access_token: 'at-9', refresh_token: 'rt-9', expires_in: 3600 }, { success: true, data: { apiKey: 'sk-key-9', email: 'a@b.c', phone: '1' } });
    const obtained = await refreshTokens(definition, 'rt-0', { dispatcher: agent, now: () => NOW });
    expect(asked).toEqual(['/api/oauth/getUserInfo?accessToken=at-9']);
    expect(obtained.tokens).toEqual({ accessToken: 'sk-key-9', refreshToken: 'rt-9', idToken: undefined });
    expect(obtained.label).toBe('a@b.c');
    expect(obtained.expiresAt).toBe(NOW + 3_600_000);
  });

  it('fails, without printing the token, when no key comes back', async () => {
    answers({ access_token: 'at-secret-9', refresh_token: 'rt-9', expires_in: 3600 }, { success: false, message: 'accessToken invalid', data: null });
    const error = await refreshTokens(definition, 'rt-0', { dispatcher: agent, now: () => NOW }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OAuthError);
    expect((error as OAuthError).code).toBe('invalid_response');
    expect((error as OAuthError).message).toBe(
      'iFlow: the user-info endpoint gave no API key for this login (HTTP 200: accessToken invalid). Run `byokey login iflow` again.',
    );
    expect((error as OAuthError).message).not.toContain('at-secret-9');
  });
});
