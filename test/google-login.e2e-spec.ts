// `byokey login gemini` and `byokey login antigravity` through the `byokey` executable, against
// the fake Google OAuth server (wire-protocols.md §6.2 and §7 "Antigravity"); the test plays the
// browser. Each login's providers.yaml instance also points at a fake Code Assist, so `byokey
// serve` with the same file answers the openai SDK with that login. Before it does, the stored
// access token is made expired (and the fake Code Assist stops taking it, as Google would): the
// gateway must refresh it at the fake's token endpoint, with the app's client secret, and use the
// new token. Nothing secret is printed along the way.
import OpenAI from 'openai';
import { request } from 'undici';
import { SqliteAccountStore } from '../src/store/sqlite/sqlite-account-store';
import { FakeCodeAssist, type CodeAssistFlavour } from './fakes/code-assist.fake';
import { FakeOAuthServer, GOOGLE_CLIENTS, type GoogleClientName } from './fakes/oauth-server.fake';
import { CliSandbox, freePort, killAllCli, runCli, startCli } from './support/cli-process';

interface GoogleLoginCase {
  provider: 'gemini' | 'antigravity';
  client: GoogleClientName;
  flavour: CodeAssistFlavour;
  displayName: string;
  /** How the redirect URI names the loopback host, and its path (§6.2, §7). */
  callbackHost: string;
  callbackPath: string;
  /** The instance's setting that points it at the fake Code Assist. */
  hostSetting: (origin: string) => string;
  model: string;
}

const CASES: GoogleLoginCase[] = [
  {
    provider: 'gemini',
    client: 'gemini-cli',
    flavour: 'gemini-cli',
    displayName: 'Gemini (Google account)',
    callbackHost: '127.0.0.1',
    callbackPath: '/oauth2callback',
    hostSetting: (origin) => `base_url: ${origin}`,
    model: 'gemini-2.5-pro',
  },
  {
    provider: 'antigravity',
    client: 'antigravity',
    flavour: 'antigravity',
    displayName: 'Antigravity (Google account)',
    callbackHost: 'localhost',
    callbackPath: '/oauth-callback',
    hostSetting: (origin) => `base_urls: [${origin}]`,
    model: 'gemini-2.5-flash',
  },
];

let sandbox: CliSandbox;
const oauth = new FakeOAuthServer();
const codeAssists = new Map<CodeAssistFlavour, FakeCodeAssist>();

beforeAll(async () => {
  await oauth.start();
  for (const flavour of ['gemini-cli', 'antigravity'] as const) {
    const fake = new FakeCodeAssist(flavour);
    await fake.start();
    // The Code Assist takes exactly the access tokens the Google fake handed out.
    fake.tokens = oauth.googleAccessTokens;
    // Onboarding is done at once: `serve` polls every 5 s, which a test cannot shorten.
    fake.pollsBeforeDone = 0;
    codeAssists.set(flavour, fake);
  }
});
afterAll(async () => {
  await oauth.stop();
  for (const fake of codeAssists.values()) await fake.stop();
});
beforeEach(() => {
  sandbox = new CliSandbox();
});
afterEach(async () => {
  await killAllCli();
  sandbox.remove();
});

describe.each(CASES)('byokey login $provider, then serve', (c) => {
  const client = GOOGLE_CLIENTS[c.client];

  it('logs in through the loopback callback, and serve answers with that login after refreshing its expired token', async () => {
    const codeAssist = codeAssists.get(c.flavour)!;
    const callbackPort = await freePort();
    const config = sandbox.write(
      'providers.yaml',
      [
        'providers:',
        `  ${c.provider}:`,
        `    ${c.hostSetting(codeAssist.origin)}`,
        '    oauth:',
        `      authorize_url: ${oauth.urls.google.authorize}`,
        `      token_url: ${oauth.urls.google.token}`,
        `      callback_port: ${callbackPort}`,
        '',
      ].join('\n'),
    );

    // --- login ---
    const exchangesBefore = oauth.tokenCallCount('authorization_code', 'google');
    const login = startCli(['login', c.provider, '--no-browser', '--config', config], sandbox);
    const authorize = new URL((await login.waitFor(/(http:\/\/127\.0\.0\.1:\d+\/google\/o\/oauth2\/v2\/auth\?\S+)/))[1]);
    const q = authorize.searchParams;
    expect(q.get('client_id')).toBe(client.clientId);
    expect(q.get('redirect_uri')).toBe(`http://${c.callbackHost}:${callbackPort}${c.callbackPath}`);
    expect(q.get('scope')!.split(' ').sort()).toEqual([...client.scopes].sort());
    expect(q.get('access_type')).toBe('offline');
    expect(q.get('response_type')).toBe('code');
    expect(q.get('state')).toMatch(/^\S{16,}$/);
    if (client.pkce === 'forbidden') {
      // Gemini CLI's loopback flow sends no PKCE (§6.2).
      expect(q.has('code_challenge')).toBe(false);
      expect(q.has('code_challenge_method')).toBe(false);
    } else {
      expect(q.get('code_challenge_method')).toBe('S256');
      expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }

    // The "browser": Google's consent page redirects to byokey's loopback callback.
    const consent = await request(authorize);
    const consentBody = await consent.body.text();
    expect({ status: consent.statusCode, body: consentBody }).toEqual({ status: 302, body: '' });
    const callback = new URL(consent.headers.location as string);
    expect(callback.searchParams.get('state')).toBe(q.get('state'));
    const code = callback.searchParams.get('code')!;
    const page = await request(callback.toString().replace('//localhost:', '//127.0.0.1:'));
    expect(page.statusCode).toBe(200);
    expect(await page.body.text()).toMatch(/close this (tab|window)/i);

    const loggedIn = await login.exit();
    expect(loggedIn.code).toBe(0);
    expect(loggedIn.stdout).toContain(`Logged in to ${c.displayName} as me@gmail.example: account "default", the default`);
    expect(oauth.tokenCallCount('authorization_code', 'google')).toBe(exchangesBefore + 1);
    const exchange = oauth.requests.filter((r) => r.path === '/google/token' && r.body.grant_type === 'authorization_code').at(-1)!;
    expect(exchange.contentType).toBe('form');
    expect(exchange.body).toMatchObject({ client_id: client.clientId, client_secret: client.clientSecret, code, redirect_uri: q.get('redirect_uri') });
    if (client.pkce === 'forbidden') expect(exchange.body.code_verifier).toBeUndefined();
    else expect(exchange.body.code_verifier).toEqual(expect.any(String));

    const list = await runCli(['accounts', 'list'], sandbox);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^${c.provider}\\s+default\\s+yes\\s+active\\s+in 60 min\\s+me@gmail\\.example$`, 'm'));

    // --- an hour later: the access token has expired, and Google no longer takes it ---
    const store = SqliteAccountStore.open({ home: sandbox.home });
    const loggedInAccount = (await store.get(c.provider, 'default'))!;
    expect(loggedInAccount.claims).toMatchObject({ email: 'me@gmail.example' });
    const { accessToken: oldAccess, refreshToken, idToken } = loggedInAccount.tokens;
    expect(refreshToken).toEqual(expect.any(String));
    await store.updateTokens(c.provider, 'default', { accessToken: oldAccess, expiresAt: Date.now() - 60_000 });
    await store.close();
    oauth.googleAccessTokens.delete(oldAccess);

    // --- serve ---
    const refreshesBefore = oauth.tokenCallCount('refresh_token', 'google');
    const generationsBefore = codeAssist.generations.length;
    codeAssist.script({ kind: 'text', text: `Hello from ${c.flavour}.` });
    const serve = startCli(['serve', '--port', '0', '--config', config, '--log-level', 'info'], sandbox);
    const { url } = await serve.listening();
    const openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'client-key', maxRetries: 0 });
    const answer = await openai.chat.completions.create({ model: c.model, messages: [{ role: 'user', content: 'hi' }] });
    expect(answer.choices[0].message.content).toBe(`Hello from ${c.flavour}.`);

    expect(oauth.tokenCallCount('refresh_token', 'google')).toBe(refreshesBefore + 1);
    const refresh = oauth.requests.filter((r) => r.path === '/google/token' && r.body.grant_type === 'refresh_token').at(-1)!;
    expect(refresh.contentType).toBe('form');
    expect(refresh.body).toEqual({ grant_type: 'refresh_token', client_id: client.clientId, client_secret: client.clientSecret, refresh_token: refreshToken });
    const generation = codeAssist.generations.slice(generationsBefore).at(-1)!;
    expect(generation.body.model).toBe(c.model);
    const usedToken = (generation.headers.authorization as string).replace(/^Bearer /, '');
    expect(usedToken).not.toBe(oldAccess);
    expect(oauth.googleAccessTokens.has(usedToken)).toBe(true);

    serve.signal('SIGTERM');
    const served = await serve.exit(5000);
    expect(served.code).toBe(0);

    const after = SqliteAccountStore.open({ home: sandbox.home });
    const refreshed = (await after.get(c.provider, 'default'))!;
    await after.close();
    // Google does not rotate refresh tokens: the stored one stays.
    expect(refreshed.tokens).toMatchObject({ accessToken: usedToken, refreshToken });
    expect(refreshed.expiresAt).toBeGreaterThan(Date.now() + 30 * 60_000);

    const printed = [loggedIn.stdout, loggedIn.stderr, list.stdout, list.stderr, served.stdout, served.stderr].join('\n');
    for (const secret of [oldAccess, usedToken, refreshToken!, idToken!, code, client.clientSecret]) expect(printed).not.toContain(secret);
  });
});
