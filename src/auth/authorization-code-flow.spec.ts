// Covers authorization-code-flow.ts end to end against the fake OAuth server, the test playing
// the browser (authorize URL → fake's redirect → loopback callback) or the user pasting; time is
// fake, so the 5-minute timeout is tested without waiting.
import { createServer } from 'node:net';
import { request } from 'undici';
import { FakeLoginUi } from '../../test/fakes/login-ui.fake';
import { claudeTestDefinition, codexTestDefinition } from '../../test/fakes/oauth-definitions.fake';
import { FakeOAuthServer } from '../../test/fakes/oauth-server.fake';
import { FakeTime } from '../../test/fakes/fake-time';
import { buildAuthorizeUrl, parsePastedAnswer, runAuthorizationCodeFlow } from './authorization-code-flow';
import type { OAuthDefinition } from './oauth-definition';
import { OAuthError } from './oauth-error';
import { pkceChallenge } from './pkce';

interface BrowserVisit {
  status: number;
  text: string;
}

/** The user's browser: opens the authorize URL at the fake and follows its redirect (to the loopback callback). */
async function playBrowser(authorizeUrl: string, tamper?: (callback: URL) => void): Promise<BrowserVisit> {
  const authorize = await request(authorizeUrl);
  await authorize.body.dump();
  expect(authorize.statusCode).toBe(302);
  const callback = new URL(String(authorize.headers.location));
  tamper?.(callback);
  const res = await request(callback.toString());
  return { status: res.statusCode, text: await res.body.text() };
}

/** Opens the authorize URL at the fake and returns where it would send the browser, without going there. */
async function redirectLocation(authorizeUrl: string): Promise<URL> {
  const res = await request(authorizeUrl);
  await res.body.dump();
  return new URL(String(res.headers.location));
}

async function failure(promise: Promise<unknown>): Promise<OAuthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OAuthError);
  return error as OAuthError;
}

async function isListening(port: number): Promise<boolean> {
  return request(`http://127.0.0.1:${port}/`).then(
    async (res) => {
      await res.body.dump();
      return true;
    },
    () => false,
  );
}

describe('authorization-code flow', () => {
  const fake = new FakeOAuthServer();
  let codex: OAuthDefinition;
  let claude: OAuthDefinition;
  let time: FakeTime;
  let ui: FakeLoginUi;

  beforeAll(async () => {
    await fake.start();
    codex = codexTestDefinition(fake);
    claude = claudeTestDefinition(fake);
  });
  afterAll(() => fake.stop());
  beforeEach(() => {
    time = new FakeTime('manual');
    ui = new FakeLoginUi();
  });

  const deps = () => ({ now: time.now, sleep: time.sleep });
  const authorizeLine = () => ui.waitForLine((line) => line.startsWith(fake.baseUrl));

  it('logs in through the browser: PKCE S256, state, loopback callback, verified code exchange', async () => {
    let visit: Promise<BrowserVisit> | undefined;
    ui.onOpen = (url) => (visit = playBrowser(url));
    const exchangesBefore = fake.tokenCallCount('authorization_code', 'openai');

    const obtained = await runAuthorizationCodeFlow({ definition: codex, ui, deps: deps() });

    expect(ui.openedUrls).toHaveLength(1);
    const authorize = new URL(ui.openedUrls[0]);
    expect(ui.lines).toContain(ui.openedUrls[0]);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(fake.urls.openai.authorize);
    const q = authorize.searchParams;
    expect(q.get('response_type')).toBe('code');
    expect(q.get('client_id')).toBe('app_EMoamEEZ73f0CkXaXp7hrann');
    expect(q.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/auth\/callback$/);
    expect(q.get('scope')).toBe('openid profile email offline_access');
    expect(q.get('state')!.length).toBeGreaterThanOrEqual(22);
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('id_token_add_organizations')).toBe('true');
    expect(q.get('codex_cli_simplified_flow')).toBe('true');

    // The verifier sent with the code is the one behind the challenge (and the fake checked it too).
    const exchange = fake.lastTokenRequest!;
    expect(exchange.body.grant_type).toBe('authorization_code');
    expect(pkceChallenge(String(exchange.body.code_verifier))).toBe(q.get('code_challenge'));
    expect(exchange.body.redirect_uri).toBe(q.get('redirect_uri'));
    expect(fake.tokenCallCount('authorization_code', 'openai')).toBe(exchangesBefore + 1);

    expect(obtained.label).toBe('user@example.com');
    expect(obtained.claims).toEqual({ chatgpt_account_id: 'acc-fake-0001', chatgpt_plan_type: 'plus' });
    expect(obtained.tokens.refreshToken).toMatch(/^rt_/);

    const page = await visit!;
    expect(page.status).toBe(200);
    expect(page.text).toContain('Login complete');
    // The paste reader was told to stop, and the callback server is gone.
    expect(ui.readSignals.every((s) => s.aborted)).toBe(true);
    expect(await isListening(Number(new URL(q.get('redirect_uri')!).port))).toBe(false);
  });

  it('with --no-browser prints the URL without opening anything', async () => {
    const flow = runAuthorizationCodeFlow({ definition: codex, ui, noBrowser: true, deps: deps() });
    const visit = playBrowser(await authorizeLine());
    await expect(flow).resolves.toMatchObject({ label: 'user@example.com' });
    expect(ui.openedUrls).toEqual([]);
    expect((await visit).text).toContain('Login complete');
  });

  it('tells the user to open the URL when the browser cannot be opened', async () => {
    ui.browserWorks = false;
    const flow = runAuthorizationCodeFlow({ definition: codex, ui, deps: deps() });
    void playBrowser(await authorizeLine());
    await flow;
    expect(ui.lines).toContain('Could not open a browser; open the URL above yourself.');
  });

  it('accepts the pasted redirect URL when the browser is on another machine', async () => {
    const flow = runAuthorizationCodeFlow({ definition: codex, ui, noBrowser: true, deps: deps() });
    const location = await redirectLocation(await authorizeLine());
    ui.paste(location.toString());
    const obtained = await flow;
    expect(obtained.tokens.accessToken).toBeTruthy();
    expect(fake.lastTokenRequest!.body.code).toBe(location.searchParams.get('code'));
    expect(await isListening(Number(location.port))).toBe(false);
  });

  it("accepts Claude's `code#state` and sends the state in the JSON exchange", async () => {
    fake.anthropicAuthorizeMode = 'show-code';
    try {
      const flow = runAuthorizationCodeFlow({ definition: claude, ui, noBrowser: true, deps: deps() });
      const shown = await request(await authorizeLine());
      const html = await shown.body.text();
      const pasted = /<code id="code">([^<]+)<\/code>/.exec(html)![1];
      expect(pasted).toContain('#');
      ui.paste(`  ${pasted}  `);
      const obtained = await flow;
      expect(obtained.tokens.accessToken).toMatch(/^sk-ant-oat01-/);
      expect(obtained.label).toBe('claude@example.com');
      const exchange = fake.lastTokenRequest!;
      expect(exchange.contentType).toBe('json');
      expect(exchange.body.state).toBe(pasted.split('#')[1]);
      expect(exchange.body.code).toBe(pasted.split('#')[0]);
    } finally {
      fake.anthropicAuthorizeMode = 'redirect';
    }
  });

  it('accepts a pasted `code=…&state=…` query string after a line it cannot use', async () => {
    const flow = runAuthorizationCodeFlow({ definition: codex, ui, noBrowser: true, deps: deps() });
    const location = await redirectLocation(await authorizeLine());
    ui.paste('I have no idea what to paste');
    ui.paste('');
    ui.paste(location.search);
    await expect(flow).resolves.toMatchObject({ label: 'user@example.com' });
    expect(ui.lines.filter((l) => l.startsWith('That is not a redirect URL or a code'))).toHaveLength(1);
  });

  it('still finishes through the browser after the input ends', async () => {
    const flow = runAuthorizationCodeFlow({ definition: codex, ui, noBrowser: true, deps: deps() });
    ui.paste(undefined);
    void playBrowser(await authorizeLine());
    await expect(flow).resolves.toMatchObject({ label: 'user@example.com' });
  });

  it('works without any pasted input, and says it waits for the browser', async () => {
    ui = new FakeLoginUi(false);
    const flow = runAuthorizationCodeFlow({ definition: codex, ui, noBrowser: true, deps: deps() });
    void playBrowser(await authorizeLine());
    await flow;
    expect(ui.lines.some((l) => l.startsWith('Waiting for the browser to return to http://127.0.0.1:'))).toBe(true);
    expect(ui.lines.some((l) => l.includes('paste'))).toBe(false);
  });

  it('refuses a callback carrying another state in the browser, keeps waiting, and finishes with the right one', async () => {
    const exchangesBefore = fake.tokenCallCount('authorization_code');
    const flow = runAuthorizationCodeFlow({ definition: codex, ui, noBrowser: true, deps: deps() });
    let settled = false;
    void flow.then(
      () => (settled = true),
      () => (settled = true),
    );
    const url = await authorizeLine();
    const forged = await playBrowser(url, (callback) => callback.searchParams.set('state', 'forged'));
    expect(forged.status).toBe(400);
    expect(forged.text).toContain('state mismatch');
    expect(forged.text).toContain('still waiting');
    await ui.waitForLine(/^Ignored an answer from the browser that belongs to another login/);
    expect(settled).toBe(false);
    expect(fake.tokenCallCount('authorization_code')).toBe(exchangesBefore);

    const right = await playBrowser(url);
    await expect(flow).resolves.toMatchObject({ label: 'user@example.com' });
    expect(right.text).toContain('Login complete');
    expect(fake.tokenCallCount('authorization_code')).toBe(exchangesBefore + 1);
  });

  it('refuses a pasted code#state carrying another state with a hint, and takes the next paste', async () => {
    const flow = runAuthorizationCodeFlow({ definition: claude, ui, noBrowser: true, deps: deps() });
    const location = await redirectLocation(await authorizeLine());
    ui.paste(`${location.searchParams.get('code')}#not-our-state`);
    await ui.waitForLine(/^That answer belongs to another login \(state mismatch\)/);
    ui.paste(location.toString());
    await expect(flow).resolves.toMatchObject({ label: 'claude@example.com' });
  });

  it('counts down to the timeout on the progress line, once a second, and clears it at the end', async () => {
    const flow = runAuthorizationCodeFlow({ definition: codex, ui, noBrowser: true, deps: deps() });
    const url = await authorizeLine();
    await ui.waitForLine(/^Waiting for the browser/);
    expect(ui.progressLines).toEqual(['Waiting for the browser… 5:00 left']);
    for (let i = 0; i < 3; i++) {
      time.advance(1000);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(ui.progressLines).toEqual([
      'Waiting for the browser… 5:00 left',
      'Waiting for the browser… 4:59 left',
      'Waiting for the browser… 4:58 left',
      'Waiting for the browser… 4:57 left',
    ]);
    expect(time.sleeps).toEqual([1000, 1000, 1000, 1000]);
    const cleared = ui.progressCleared;
    void playBrowser(url);
    await flow;
    expect(ui.progressCleared).toBeGreaterThan(cleared);
    expect(time.pendingSleeps).toBe(0);
  });

  it("names the user's own retry command (with their flags) in its failures", async () => {
    fake.denyNextAuthorization();
    let visit: Promise<BrowserVisit> | undefined;
    ui.onOpen = (url) => (visit = playBrowser(url));
    const retryCommand = 'byokey login codex --account work';
    const error = await failure(runAuthorizationCodeFlow({ definition: codex, ui, deps: deps(), retryCommand }));
    expect(error.message).toContain('Run `byokey login codex --account work` to try again.');
    await visit;
  });

  it('reports access_denied from the browser clearly, without exchanging anything', async () => {
    fake.denyNextAuthorization();
    const exchangesBefore = fake.tokenCallCount('authorization_code');
    let visit: Promise<BrowserVisit> | undefined;
    ui.onOpen = (url) => (visit = playBrowser(url));
    const error = await failure(runAuthorizationCodeFlow({ definition: codex, ui, deps: deps() }));
    expect(error.code).toBe('access_denied');
    expect(error.message).toBe(
      'ChatGPT (Codex): the login was refused: access_denied (The user denied the request). Run `byokey login codex` to try again.',
    );
    expect((await visit!).text).toContain('access_denied');
    expect(fake.tokenCallCount('authorization_code')).toBe(exchangesBefore);
  });

  it('times out after 5 minutes without an answer, and frees the port', async () => {
    const flow = runAuthorizationCodeFlow({ definition: codex, ui, noBrowser: true, deps: deps() });
    const port = Number(new URL(new URL(await authorizeLine()).searchParams.get('redirect_uri')!).port);
    await ui.waitForLine(/^Waiting for the browser/);
    let settled = false;
    void flow.then(
      () => (settled = true),
      () => (settled = true),
    );
    // The countdown sleeps a second at a time: 299 of them leave the login waiting.
    for (let i = 0; i < 299; i++) {
      time.advance(1000);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(settled).toBe(false);
    expect(ui.progressLines.at(-1)).toBe('Waiting for the browser… 0:01 left');

    time.advance(1000);
    const error = await failure(flow);
    expect(error.code).toBe('timeout');
    expect(error.message).toContain('within 5 minutes');
    expect(error.message).toContain('byokey login codex');
    expect(await isListening(port)).toBe(false);
  });

  it('honours a shorter timeout', async () => {
    const flow = runAuthorizationCodeFlow({ definition: codex, ui, noBrowser: true, timeoutMs: 30_000, deps: deps() });
    await ui.waitForLine(/^Waiting for the browser/);
    const failed = failure(flow);
    for (let i = 0; i < 30; i++) {
      time.advance(1000);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const error = await failed;
    expect(error.message).toContain('within 30 seconds');
  });

  it('stops when cancelled and frees the port', async () => {
    const controller = new AbortController();
    const flow = runAuthorizationCodeFlow({ definition: codex, ui, noBrowser: true, signal: controller.signal, deps: deps() });
    const port = Number(new URL(new URL(await authorizeLine()).searchParams.get('redirect_uri')!).port);
    controller.abort();
    expect((await failure(flow)).code).toBe('cancelled');
    expect(await isListening(port)).toBe(false);
    expect(time.pendingSleeps).toBe(0);
  });

  it('fails before printing anything when the callback port is busy', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const port = (squatter.address() as { port: number }).port;
    try {
      const error = await failure(runAuthorizationCodeFlow({ definition: { ...codex, callbackPort: port }, ui, deps: deps() }));
      expect(error.code).toBe('callback_port_in_use');
      expect(error.message).toContain(`port ${port}`);
      expect(ui.lines).toEqual([]);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});

describe('buildAuthorizeUrl', () => {
  const iflowLike: OAuthDefinition = {
    provider: 'iflow',
    displayName: 'iFlow',
    flow: 'authorization-code',
    clientId: '10009311001',
    scopes: ['a', 'b'],
    scopeSeparator: ',',
    authorizeUrl: 'https://iflow.test/oauth?loginMethod=phone&type=phone',
    pkce: false,
    tokenUrl: 'https://iflow.test/oauth/token',
    exchangeEncoding: 'form',
    refreshEncoding: 'form',
    refreshable: true,
  };

  it("keeps the definition's own query, joins scopes with its separator, and omits PKCE when off", () => {
    const url = new URL(buildAuthorizeUrl(iflowLike, { redirectUri: 'http://localhost:11451/oauth2callback', state: 's1' }));
    expect(Object.fromEntries(url.searchParams)).toEqual({
      loginMethod: 'phone',
      type: 'phone',
      response_type: 'code',
      client_id: '10009311001',
      redirect_uri: 'http://localhost:11451/oauth2callback',
      scope: 'a,b',
      state: 's1',
    });
  });

  it("names the redirect with the definition's parameter (iFlow's `redirect`)", () => {
    const url = new URL(buildAuthorizeUrl({ ...iflowLike, redirectParam: 'redirect' }, { redirectUri: 'http://localhost:11451/oauth2callback', state: 's' }));
    expect(url.searchParams.get('redirect')).toBe('http://localhost:11451/oauth2callback');
    expect(url.searchParams.has('redirect_uri')).toBe(false);
  });

  it('leaves scope out when there is none', () => {
    const url = new URL(buildAuthorizeUrl({ ...iflowLike, scopes: [] }, { redirectUri: 'http://localhost:1/cb', state: 's' }));
    expect(url.searchParams.has('scope')).toBe(false);
  });
});

describe('parsePastedAnswer', () => {
  it.each([
    ['http://localhost:1455/auth/callback?code=c1&state=s1', { code: 'c1', state: 's1' }],
    ['https://console.example/callback?code=c1#s1', { code: 'c1', state: 's1' }],
    ['http://localhost:1/cb#code=c1&state=s1', { code: 'c1', state: 's1' }],
    ['http://localhost:1/cb?error=access_denied&state=s1', { error: 'access_denied', state: 's1' }],
    ['?code=c1&state=s1', { code: 'c1', state: 's1' }],
    ['code=c1&state=s1', { code: 'c1', state: 's1' }],
    ['c1#s1', { code: 'c1', state: 's1' }],
    ['c1#', { code: 'c1' }],
    ['4/0AbCd-ef_gh', { code: '4/0AbCd-ef_gh' }],
  ])('reads %s', (input, expected) => {
    const params = parsePastedAnswer(input);
    expect(params).toBeDefined();
    for (const [key, value] of Object.entries(expected)) expect(params![key as keyof typeof params]).toBe(value);
    if (!('state' in expected)) expect(params!.state).toBeUndefined();
  });

  it.each([[''], ['   '], ['two words'], ['http://localhost:1/cb'], ['http://localhost:1/cb?state=s'], ['#s1']])(
    'rejects %j',
    (input) => {
      expect(parsePastedAnswer(input)).toBeUndefined();
    },
  );
});
