// Covers token-client.ts against the fake OAuth server (OpenAI form exchange + JSON refresh with
// rotation and reuse detection, Anthropic JSON with state and scope) and against an undici
// MockAgent (Basic auth, client_secret, headers, odd answers, network failure, cancellation).
import { MockAgent, request } from 'undici';
import { FakeOAuthServer } from '../../test/fakes/oauth-server.fake';
import { claudeTestDefinition, codexTestDefinition } from '../../test/fakes/oauth-definitions.fake';
import { buildAuthorizeUrl } from './authorization-code-flow';
import { decodeJwtPayload } from './jwt';
import type { OAuthDefinition } from './oauth-definition';
import { OAuthError } from './oauth-error';
import { createPkcePair, createState, pkceChallenge } from './pkce';
import { exchangeCode, refreshTokens } from './token-client';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const REDIRECT = 'http://localhost:1455/auth/callback';

/** Plays the browser up to the redirect: the code the fake hands out for this authorize URL. */
async function authorize(definition: OAuthDefinition, redirectUri = REDIRECT) {
  const pkce = createPkcePair();
  const state = createState();
  const url = buildAuthorizeUrl(definition, { redirectUri, state, codeChallenge: pkce.challenge });
  const res = await request(url);
  await res.body.dump();
  expect(res.statusCode).toBe(302);
  const location = new URL(String(res.headers.location));
  return { code: location.searchParams.get('code')!, state, verifier: pkce.verifier };
}

async function caught(promise: Promise<unknown>): Promise<OAuthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OAuthError);
  return error as OAuthError;
}

describe('token client against the fake OAuth server', () => {
  const fake = new FakeOAuthServer({ now: () => NOW });
  let codex: OAuthDefinition;
  let claude: OAuthDefinition;

  beforeAll(async () => {
    await fake.start();
    codex = codexTestDefinition(fake);
    claude = claudeTestDefinition(fake);
  });
  afterAll(() => fake.stop());

  describe('OpenAI (form exchange, JSON refresh)', () => {
    it('exchanges a code as a form with the PKCE verifier and reads the account from the id_token', async () => {
      const { code, verifier } = await authorize(codex);
      const obtained = await exchangeCode(codex, { code, codeVerifier: verifier, redirectUri: REDIRECT }, { now: () => NOW });

      const sent = fake.lastRequest;
      expect(sent.contentType).toBe('form');
      expect(sent.headers.accept).toBe('application/json');
      expect(sent.rawBody.split('&').map((p) => p.split('=')[0])).toEqual([
        'grant_type',
        'code',
        'redirect_uri',
        'client_id',
        'code_verifier',
      ]);
      expect(sent.body).toEqual({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT,
        client_id: 'app_EMoamEEZ73f0CkXaXp7hrann',
        code_verifier: verifier,
      });

      expect(obtained.tokens.refreshToken).toMatch(/^rt_/);
      expect(decodeJwtPayload(obtained.tokens.accessToken)).toBeDefined();
      expect(decodeJwtPayload(obtained.tokens.idToken)?.email).toBe('user@example.com');
      expect(obtained.label).toBe('user@example.com');
      expect(obtained.claims).toEqual({ chatgpt_account_id: 'acc-fake-0001', chatgpt_plan_type: 'plus' });
      // No expires_in in OpenAI's answer: the expiry is the access token's `exp`.
      expect(obtained.response.expires_in).toBeUndefined();
      expect(obtained.expiresAt).toBe(NOW + 3600 * 1000);
    });

    it('fails with invalid_grant when the verifier does not match the challenge', async () => {
      const { code } = await authorize(codex);
      const error = await caught(exchangeCode(codex, { code, codeVerifier: createPkcePair().verifier, redirectUri: REDIRECT }));
      expect(error).toMatchObject({ code: 'invalid_grant', status: 400, permanent: true, provider: 'codex' });
      expect(error.message).toContain('exchanging the authorization code for tokens failed');
      expect(error.message).toContain('code_verifier does not match');
      expect(error.message).not.toContain(code);
    });

    it('refreshes as JSON, rotates the refresh token, and reports reuse of the old one as permanent', async () => {
      const { code, verifier } = await authorize(codex);
      const first = await exchangeCode(codex, { code, codeVerifier: verifier, redirectUri: REDIRECT });
      const oldRefresh = first.tokens.refreshToken!;

      const refreshed = await refreshTokens(codex, oldRefresh);
      expect(fake.lastRequest.contentType).toBe('json');
      expect(JSON.parse(fake.lastRequest.rawBody)).toEqual({
        client_id: 'app_EMoamEEZ73f0CkXaXp7hrann',
        grant_type: 'refresh_token',
        refresh_token: oldRefresh,
      });
      expect(refreshed.tokens.refreshToken).toMatch(/^rt_/);
      expect(refreshed.tokens.refreshToken).not.toBe(oldRefresh);
      expect(refreshed.tokens.accessToken).not.toBe(first.tokens.accessToken);
      expect(refreshed.claims.chatgpt_account_id).toBe('acc-fake-0001');

      const reuse = await caught(refreshTokens(codex, oldRefresh));
      expect(reuse).toMatchObject({ code: 'refresh_token_reused', status: 401, permanent: true });
      expect(reuse.message).toContain('Run `byokey login codex`');
      expect(reuse.message).not.toContain(oldRefresh);
      // The rotated token still works.
      await expect(refreshTokens(codex, refreshed.tokens.refreshToken!)).resolves.toBeDefined();
    });

    it('leaves refreshToken undefined when the answer carries none (keep the stored one)', async () => {
      const seeded = fake.seedRefreshToken('openai');
      fake.omitRefreshTokenOnRefresh = true;
      try {
        const refreshed = await refreshTokens(codex, seeded);
        expect(refreshed.tokens.refreshToken).toBeUndefined();
        expect(refreshed.tokens.accessToken).toBeTruthy();
        expect(fake.isRefreshTokenLive(seeded)).toBe(true);
      } finally {
        fake.omitRefreshTokenOnRefresh = false;
      }
    });

    it('reports invalid_grant as permanent and a 500 as transient', async () => {
      const seeded = fake.seedRefreshToken('openai');
      fake.failRefresh('invalid_grant', 1);
      const dead = await caught(refreshTokens(codex, seeded));
      expect(dead).toMatchObject({ code: 'invalid_grant', status: 400, permanent: true });

      fake.failRefresh('server_error', 1);
      const flaky = await caught(refreshTokens(codex, seeded));
      expect(flaky).toMatchObject({ code: 'server_error', status: 500, permanent: false });
      expect(flaky.message).toContain('may be temporary');

      // Neither spent the token.
      await expect(refreshTokens(codex, seeded)).resolves.toBeDefined();
    });

    it('waits out the latency the fake is told to add', async () => {
      fake.tokenLatencyMs = 60;
      try {
        const started = Date.now();
        await refreshTokens(codex, fake.seedRefreshToken('openai'));
        expect(Date.now() - started).toBeGreaterThanOrEqual(55);
      } finally {
        fake.tokenLatencyMs = 0;
      }
    });

    it('counts token-endpoint calls per grant type', async () => {
      const before = fake.tokenCallCount('refresh_token', 'openai');
      await refreshTokens(codex, fake.seedRefreshToken('openai'));
      expect(fake.tokenCallCount('refresh_token', 'openai')).toBe(before + 1);
    });
  });

  describe('Anthropic (JSON both ways)', () => {
    it('exchanges with state in the JSON body and takes the expiry from expires_in', async () => {
      const { code, state, verifier } = await authorize(claude, 'http://localhost:54545/callback');
      const obtained = await exchangeCode(
        claude,
        { code, state, codeVerifier: verifier, redirectUri: 'http://localhost:54545/callback' },
        { now: () => NOW + 7 },
      );
      const sent = fake.lastRequest;
      expect(sent.contentType).toBe('json');
      expect(sent.headers['user-agent']).toBe('axios/1.15.2');
      expect(Object.keys(JSON.parse(sent.rawBody))).toEqual(['grant_type', 'code', 'redirect_uri', 'client_id', 'code_verifier', 'state']);
      expect(sent.body.state).toBe(state);
      expect(pkceChallenge(String(sent.body.code_verifier))).toBe(pkceChallenge(verifier));

      expect(obtained.tokens.accessToken).toMatch(/^sk-ant-oat01-/);
      expect(obtained.tokens.refreshToken).toMatch(/^sk-ant-ort01-/);
      expect(obtained.tokens.idToken).toBeUndefined();
      expect(obtained.expiresAt).toBe(NOW + 7 + 3600 * 1000);
      expect(obtained.label).toBe('claude@example.com');
      expect(obtained.claims).toEqual({ account_uuid: 'acct-fake-0001' });
    });

    it('sends the scopes with a refresh when the definition asks', async () => {
      const seeded = fake.seedRefreshToken('anthropic');
      const refreshed = await refreshTokens(claude, seeded);
      expect(JSON.parse(fake.lastRequest.rawBody)).toEqual({
        client_id: '9d1c250a-e61b-44d9-88ed-5944d1962f5e',
        grant_type: 'refresh_token',
        refresh_token: seeded,
        scope: 'user:profile user:inference user:sessions:claude_code user:mcp_servers user:file_upload',
      });
      expect(refreshed.tokens.refreshToken).toMatch(/^sk-ant-ort01-/);

      const reuse = await caught(refreshTokens(claude, seeded));
      expect(reuse).toMatchObject({ code: 'invalid_grant', status: 400, permanent: true });
    });

    it('is rejected by the fake when sent as a form (the fake checks encodings)', async () => {
      const seeded = fake.seedRefreshToken('anthropic');
      const error = await caught(refreshTokens({ ...claude, refreshEncoding: 'form' }, seeded));
      expect(error).toMatchObject({ code: 'invalid_request', permanent: false });
    });
  });

  it('refuses to refresh a definition whose tokens cannot be refreshed', async () => {
    const before = fake.tokenCallCount();
    const error = await caught(refreshTokens({ ...codex, refreshable: false }, 'rt_x'));
    expect(error.code).toBe('not_configured');
    expect(fake.tokenCallCount()).toBe(before);
  });
});

describe('token client on a mocked dispatcher', () => {
  let agent: MockAgent;
  beforeEach(() => {
    agent = new MockAgent();
    agent.disableNetConnect();
  });
  afterEach(() => agent.close());

  const iflowLike: OAuthDefinition = {
    provider: 'iflow',
    displayName: 'iFlow',
    flow: 'authorization-code',
    clientId: '10009311001',
    clientSecret: 'public-installed-app-secret',
    scopes: [],
    authorizeUrl: 'https://iflow.test/oauth',
    pkce: false,
    tokenUrl: 'https://iflow.test/oauth/token',
    exchangeEncoding: 'form',
    refreshEncoding: 'form',
    refreshable: true,
    basicAuth: true,
    headers: { 'User-Agent': 'iFlow-Cli' },
  };

  function capture(status: number, data: object | string, headers: Record<string, string> = { 'content-type': 'application/json' }) {
    const seen: { headers: Record<string, string>; body: string }[] = [];
    agent
      .get('https://iflow.test')
      .intercept({ path: '/oauth/token', method: 'POST' })
      .reply((opts) => {
        seen.push({ headers: opts.headers as Record<string, string>, body: String(opts.body) });
        return { statusCode: status, data: typeof data === 'string' ? data : JSON.stringify(data), responseOptions: { headers } };
      });
    return seen;
  }

  it('authenticates with HTTP Basic (no secret in the body) and sends the definition headers', async () => {
    const seen = capture(200, { access_token: 'at-1', refresh_token: 'rt-1', expires_in: 60 });
    const obtained = await refreshTokens(iflowLike, 'rt-0', { dispatcher: agent, now: () => NOW });
    expect(seen).toHaveLength(1);
    expect(seen[0].headers.authorization).toBe(`Basic ${Buffer.from('10009311001:public-installed-app-secret').toString('base64')}`);
    expect(seen[0].headers['user-agent']).toBe('iFlow-Cli');
    expect(seen[0].headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(seen[0].body))).toEqual({
      client_id: '10009311001',
      grant_type: 'refresh_token',
      refresh_token: 'rt-0',
    });
    expect(obtained).toMatchObject({ tokens: { accessToken: 'at-1', refreshToken: 'rt-1' }, expiresAt: NOW + 60_000, claims: {} });
  });

  it('sends client_secret in the body when there is no Basic auth', async () => {
    const seen = capture(200, { access_token: 'at-1', expires_in: '120' });
    const obtained = await exchangeCode(
      { ...iflowLike, basicAuth: false },
      { code: 'the-code', redirectUri: 'http://localhost:11451/oauth2callback' },
      { dispatcher: agent, now: () => NOW },
    );
    expect(seen[0].headers.authorization).toBeUndefined();
    expect(Object.fromEntries(new URLSearchParams(seen[0].body))).toEqual({
      grant_type: 'authorization_code',
      code: 'the-code',
      redirect_uri: 'http://localhost:11451/oauth2callback',
      client_id: '10009311001',
      client_secret: 'public-installed-app-secret',
    });
    expect(obtained.expiresAt).toBe(NOW + 120_000);
    expect(obtained.tokens.refreshToken).toBeUndefined();
  });

  it('treats an `error` in an HTTP 200 answer as a failure (GitHub does that)', async () => {
    capture(200, { error: 'bad_refresh_token', error_description: 'The refresh token passed is incorrect or expired.' });
    const error = await caught(refreshTokens(iflowLike, 'rt-0', { dispatcher: agent }));
    expect(error).toMatchObject({ code: 'bad_refresh_token', status: 200 });
  });

  it('rejects an answer without an access_token', async () => {
    capture(200, { token_type: 'bearer' });
    expect(await caught(refreshTokens(iflowLike, 'rt-0', { dispatcher: agent }))).toMatchObject({ code: 'invalid_response', permanent: false });
  });

  it('rejects an answer that is not JSON', async () => {
    capture(200, '<html>proxy login</html>', { 'content-type': 'text/html' });
    const error = await caught(refreshTokens(iflowLike, 'rt-0', { dispatcher: agent }));
    expect(error.code).toBe('invalid_response');
    expect(error.message).toContain('oauth.token_url');
  });

  it('reports a network failure as transient, naming the endpoint but no secret', async () => {
    agent.get('https://iflow.test').intercept({ path: '/oauth/token', method: 'POST' }).replyWithError(new Error('connect ECONNREFUSED'));
    const error = await caught(refreshTokens(iflowLike, 'rt-secret-value', { dispatcher: agent }));
    expect(error).toMatchObject({ code: 'network_error', permanent: false });
    expect(error.message).toContain('https://iflow.test/oauth/token');
    expect(error.message).not.toContain('rt-secret-value');
  });

  it('reports cancellation as cancelled', async () => {
    agent.get('https://iflow.test').intercept({ path: '/oauth/token', method: 'POST' }).reply(200, '{}').delay(1000);
    const controller = new AbortController();
    const pending = refreshTokens(iflowLike, 'rt-0', { dispatcher: agent, signal: controller.signal });
    controller.abort();
    expect(await caught(pending)).toMatchObject({ code: 'cancelled' });
  });
});
