// Subscription logins and stored accounts, through the `byokey` executable as a user runs it:
// `login` against a fake OAuth server (the test plays the browser), one providers.yaml with a
// gemini instance's oauth: for `login` that `serve` also starts with, `accounts` import/list/use/remove, `logout`,
// `status`, and what happens with a database that cannot be opened.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { request } from 'undici';
import { SqliteAccountStore } from '../src/store/sqlite/sqlite-account-store';
import { FakeOAuthServer } from './fakes/oauth-server.fake';
import { FakeOpenAIUpstream } from './fakes/openai-upstream.fake';
import { CliSandbox, freePort, killAllCli, runCli, startCli, type CliProcess } from './support/cli-process';

let sandbox: CliSandbox;
const oauth = new FakeOAuthServer();

beforeAll(async () => {
  await oauth.start();
});
afterAll(async () => {
  await oauth.stop();
});
beforeEach(() => {
  sandbox = new CliSandbox();
});
afterEach(async () => {
  await killAllCli();
  sandbox.remove();
});

/** providers.yaml whose `oauth:` settings send every login to the fake. */
async function fakeOAuthConfig(): Promise<string> {
  const urls = oauth.urls;
  return sandbox.write(
    'providers.yaml',
    [
      'providers:',
      '  codex:',
      '    oauth:',
      `      authorize_url: ${urls.openai.authorize}`,
      `      token_url: ${urls.openai.token}`,
      `      callback_port: ${await freePort()}`,
      '  claude:',
      '    oauth:',
      `      authorize_url: ${urls.anthropic.authorize}`,
      `      token_url: ${urls.anthropic.token}`,
      `      callback_port: ${await freePort()}`,
      '  copilot:',
      '    oauth:',
      `      device_code_url: ${urls.github.deviceCode}`,
      `      token_url: ${urls.github.token}`,
      '',
    ].join('\n'),
  );
}

/** Everything the stored accounts hold that must never be printed. */
async function storedSecrets(): Promise<string[]> {
  const store = SqliteAccountStore.open({ home: sandbox.home });
  try {
    return (await store.list()).flatMap((a) => [a.tokens.accessToken, a.tokens.refreshToken, a.tokens.idToken]).filter(
      (t): t is string => typeof t === 'string',
    );
  } finally {
    await store.close();
  }
}

async function authorizeUrlOf(proc: CliProcess, path: string): Promise<URL> {
  const match = await proc.waitFor(new RegExp(`(http://127\\.0\\.0\\.1:\\d+${path}\\?\\S+)`));
  return new URL(match[1]);
}

describe('byokey login', () => {
  it('codex --no-browser: PKCE through the loopback callback, with the browser played by the test', async () => {
    const config = await fakeOAuthConfig();
    const exchangesBefore = oauth.tokenCallCount('authorization_code', 'openai');
    const proc = startCli(['login', 'codex', '--no-browser', '--config', config], sandbox);
    const authorize = await authorizeUrlOf(proc, '/openai/oauth/authorize');
    expect(authorize.searchParams.get('client_id')).toBe('app_EMoamEEZ73f0CkXaXp7hrann');
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorize.searchParams.get('codex_cli_simplified_flow')).toBe('true');
    const redirectUri = new URL(authorize.searchParams.get('redirect_uri')!);
    expect(redirectUri.pathname).toBe('/auth/callback');

    // The "browser": the fake authorizes and redirects to byokey's loopback callback.
    const approved = await request(authorize, { method: 'GET' });
    expect(approved.statusCode).toBe(302);
    await approved.body.dump();
    const callback = new URL(approved.headers.location as string);
    expect(callback.searchParams.get('state')).toBe(authorize.searchParams.get('state'));
    const page = await request(callback.toString().replace('//localhost:', '//127.0.0.1:'));
    expect(page.statusCode).toBe(200);
    expect(await page.body.text()).toMatch(/close this (tab|window)/i);

    const result = await proc.exit();
    expect(result.code).toBe(0);
    // The fake checked the PKCE verifier against the challenge before answering.
    expect(oauth.tokenCallCount('authorization_code', 'openai')).toBe(exchangesBefore + 1);
    expect(result.stdout).toMatch(/Logged in to ChatGPT \(Codex\) as user@example\.com: account "default", the default, plan plus; token expires in 60 min\./);
    // The file's codex: entry (there for its oauth: settings) serves it.
    expect(result.stdout).toContain(`Provider instance codex (${config}) serves it: a running \`byokey serve\` picks it up within seconds.`);

    const list = await runCli(['accounts', 'list'], sandbox);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^codex\s+default\s+yes\s+active\s+in 60 min\s+user@example\.com$/m);
    const store = SqliteAccountStore.open({ home: sandbox.home });
    expect((await store.getDefault('codex'))?.claims).toMatchObject({ chatgpt_account_id: 'acc-fake-0001', plan: 'plus' });
    await store.close();

    const secrets = await storedSecrets();
    expect(secrets.length).toBe(3);
    for (const secret of secrets) expect(result.stdout + result.stderr + list.stdout).not.toContain(secret);
  });

  it('claude --no-browser: takes the `code#state` the user pastes', async () => {
    const config = await fakeOAuthConfig();
    oauth.anthropicAuthorizeMode = 'show-code';
    try {
      const proc = startCli(['login', 'claude', '--no-browser', '--account', 'work', '--config', config], sandbox);
      const authorize = await authorizeUrlOf(proc, '/anthropic/oauth/authorize');
      expect(authorize.searchParams.get('code')).toBe('true');
      const page = await (await request(authorize)).body.text();
      const pasted = /<code id="code">([^<]+)<\/code>/.exec(page)![1];
      expect(pasted).toContain('#');
      proc.typeLine(pasted);
      const result = await proc.exit();
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Logged in to Claude (Pro/Max) as claude@example.com: account "work", the default');
      expect(result.stdout + result.stderr).not.toContain(pasted.split('#')[0]);
    } finally {
      oauth.anthropicAuthorizeMode = 'redirect';
    }
  });

  it('copilot: the device flow shows the code, waits while pending, and stores the GitHub token', async () => {
    const config = await fakeOAuthConfig();
    oauth.deviceInterval = 1;
    oauth.scriptPolls('authorization_pending');
    const proc = startCli(['login', 'copilot', '--no-browser', '--config', config], sandbox);
    const code = (await proc.waitFor(/\b([A-Z0-9]{4}-[A-Z0-9]{4})\b/))[1];
    expect(proc.stdout).toContain('https://github.com/login/device');
    oauth.approveDevice(code);
    const result = await proc.exit(15_000);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Logged in to GitHub Copilot: account "default", the default.');
    expect(result.stdout).toContain(`Provider instance copilot (${config}) serves it: a running \`byokey serve\` picks it up within seconds.`);
    const device = oauth.deviceCodes.find((d) => d.userCode === code)!;
    expect(device.pollTimes.length).toBeGreaterThanOrEqual(2);
    const list = await runCli(['accounts', 'list', '--provider', 'copilot'], sandbox);
    expect(list.stdout).toMatch(/^copilot\s+default\s+yes\s+active\s+never$/m);
    for (const secret of await storedSecrets()) expect(result.stdout + list.stdout).not.toContain(secret);
  });

  it('reports a denied login and stores nothing', async () => {
    const config = await fakeOAuthConfig();
    oauth.denyNextAuthorization();
    const proc = startCli(['login', 'codex', '--no-browser', '--config', config], sandbox);
    const authorize = await authorizeUrlOf(proc, '/openai/oauth/authorize');
    const denied = await request(authorize);
    await denied.body.dump();
    await (await request((denied.headers.location as string).replace('//localhost:', '//127.0.0.1:'))).body.dump();
    const result = await proc.exit();
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/byokey login codex: .*access_denied/);
    expect((await runCli(['accounts', 'list'], sandbox)).stdout).toContain('No accounts');
  });

  it('answers a browser callback carrying another state with an error page and keeps waiting for the right one', async () => {
    const config = await fakeOAuthConfig();
    const proc = startCli(['login', 'codex', '--no-browser', '--account', 'work', '--config', config], sandbox);
    const authorize = await authorizeUrlOf(proc, '/openai/oauth/authorize');
    const approved = await request(authorize);
    await approved.body.dump();
    const callback = new URL((approved.headers.location as string).replace('//localhost:', '//127.0.0.1:'));
    const forged = new URL(callback);
    forged.searchParams.set('state', 'from-an-old-tab');
    const refused = await request(forged.toString());
    expect(refused.statusCode).toBe(400);
    expect(await refused.body.text()).toContain('still waiting');
    await proc.waitFor(/Ignored an answer from the browser that belongs to another login/);
    expect(proc.hasExited).toBe(false);
    const page = await request(callback.toString());
    expect(page.statusCode).toBe(200);
    await page.body.dump();
    const result = await proc.exit();
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('account "work"');
  });

  it("repeats the user's flags in the retry hint of a failed login", async () => {
    const config = await fakeOAuthConfig();
    oauth.denyNextAuthorization();
    const proc = startCli(['login', 'codex', '--no-browser', '--account', 'work', '--config', config], sandbox);
    const denied = await request(await authorizeUrlOf(proc, '/openai/oauth/authorize'));
    await denied.body.dump();
    await (await request((denied.headers.location as string).replace('//localhost:', '//127.0.0.1:'))).body.dump();
    const result = await proc.exit();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Run \`byokey login codex --account work --no-browser --config ${config}\` to try again.`);
  });

  it('exits 130 when Ctrl-C stops a login, and frees its callback port', async () => {
    const config = await fakeOAuthConfig();
    const proc = startCli(['login', 'codex', '--no-browser', '--config', config], sandbox);
    const authorize = await authorizeUrlOf(proc, '/openai/oauth/authorize');
    proc.signal('SIGINT');
    const result = await proc.exit();
    expect({ code: result.code, signal: result.signal }).toEqual({ code: 130, signal: null });
    expect(result.stderr).toContain('byokey login codex: cancelled');
    const redirect = new URL(authorize.searchParams.get('redirect_uri')!);
    await expect(request(`http://127.0.0.1:${redirect.port}/auth/callback`)).rejects.toThrow();
  });

  it('refuses an unknown provider with the list of known ones', async () => {
    const result = await runCli(['login', 'myspace'], sandbox);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown provider "myspace" (providers: codex, claude, copilot, gemini, qwen, kimi, iflow, antigravity, kiro)');
  });
});

// One file for `byokey login gemini` behind a proxy (it reads the instance's oauth:) and for
// `byokey serve`: the gemini instance serves once an account is logged in; until then it says
// which login is missing, and the instance next to it serves as usual.
describe('a gemini instance with oauth:, next to a served instance, before any login', () => {
  const upstream = new FakeOpenAIUpstream();

  beforeAll(async () => {
    await upstream.start();
  });
  afterAll(async () => {
    await upstream.stop();
  });

  function sharedConfig(): string {
    return sandbox.write(
      'providers.yaml',
      [
        'providers:',
        '  local:',
        '    type: openai-compatible',
        `    base_url: ${upstream.url}`,
        '    models: [alpha-1]',
        '  gemini:',
        '    models: [gemini-2.5-pro]',
        '    oauth:',
        `      token_url: ${oauth.urls.github.token}`,
        '',
      ].join('\n'),
    );
  }

  it('serve starts, warns that gemini has no account, and answers its models with a 503 naming the login', async () => {
    const config = sharedConfig();
    const serve = startCli(['serve', '--port', '0', '--config', config, '--log-level', 'info'], sandbox);
    const { url } = await serve.listening();
    await serve.waitFor(/"msg":"providers\.gemini: no account for gemini/);
    expect(serve.stdout).not.toContain('login only');

    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'client-key', maxRetries: 0 });
    const models = await client.models.list();
    expect(models.data.map((m) => [m.id, m.owned_by])).toEqual([['alpha-1', 'local']]);
    const answer = await client.chat.completions.create({ model: 'alpha-1', messages: [{ role: 'user', content: 'hi' }] });
    expect(answer.choices[0].message.content).toBe('You said: hi');
    const refused = await client.chat.completions
      .create({ model: 'gemini/gemini-2.5-pro', messages: [{ role: 'user', content: 'hi' }] })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.APIError);
    expect(refused).toMatchObject({ status: 503, code: 'no_credentials' });
    expect((refused as Error).message).toContain('`byokey login gemini`');

    serve.signal('SIGTERM');
    expect((await serve.exit(5000)).code).toBe(0);
  });
});

describe('byokey accounts', () => {
  function fakeJwt(payload: object): string {
    const part = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
    return `${part({ alg: 'none' })}.${part(payload)}.sig`;
  }
  const exp = Math.floor(Date.now() / 1000) + 8 * 86_400;
  const codexAuth = {
    auth_mode: 'chatgpt',
    OPENAI_API_KEY: null,
    tokens: {
      id_token: fakeJwt({ email: 'dev@example.com', 'https://api.openai.com/auth': { chatgpt_account_id: 'acc-from-jwt', chatgpt_plan_type: 'pro' } }),
      access_token: fakeJwt({ exp, 'https://api.openai.com/auth': { chatgpt_account_id: 'acc-from-jwt' } }),
      refresh_token: 'rt_imported_secret_0001',
      account_id: 'acc-from-file',
    },
    last_refresh: '2026-11-20T12:00:00.000Z',
  };
  const claudeCredentials = {
    claudeAiOauth: {
      accessToken: 'sk-ant-oat01-imported-secret',
      refreshToken: 'sk-ant-ort01-imported-secret',
      expiresAt: Date.now() + 3 * 3_600_000,
      scopes: ['user:inference'],
      subscriptionType: 'max',
    },
  };

  it('imports the Codex CLI and Claude Code logins and lists them, without printing a token', async () => {
    const codexFile = sandbox.write('auth.json', JSON.stringify(codexAuth));
    const claudeFile = sandbox.write('credentials.json', JSON.stringify(claudeCredentials));
    const codex = await runCli(['accounts', 'import', 'codex', '--file', codexFile], sandbox);
    expect(codex.code).toBe(0);
    expect(codex.stdout).toContain('Imported codex account "codex-cli" (dev@example.com), the default; token expires in 8 days.');
    const claude = await runCli(['accounts', 'import', 'claude', '--file', claudeFile], sandbox);
    expect(claude.code).toBe(0);
    expect(claude.stdout).toContain('Imported claude account "claude-code" (Claude Code (max)), the default; token expires in 3 h.');

    const list = await runCli(['accounts', 'list'], sandbox);
    expect(list.stdout.split('\n')[0]).toMatch(/^PROVIDER\s+ACCOUNT\s+DEFAULT\s+STATUS\s+EXPIRES\s+LABEL$/);
    expect(list.stdout).toMatch(/^claude\s+claude-code\s+yes\s+active\s+in 3 h\s+Claude Code \(max\)$/m);
    expect(list.stdout).toMatch(/^codex\s+codex-cli\s+yes\s+active\s+in 8 days\s+dev@example\.com$/m);
    const all = codex.stdout + claude.stdout + list.stdout;
    for (const secret of ['rt_imported_secret_0001', 'sk-ant-oat01-imported-secret', 'sk-ant-ort01-imported-secret', codexAuth.tokens.access_token]) {
      expect(all).not.toContain(secret);
    }
    const store = SqliteAccountStore.open({ home: sandbox.home });
    // auth.json's own account id is what the Codex CLI sends, so it wins over the id_token's.
    expect((await store.get('codex', 'codex-cli'))?.claims.chatgpt_account_id).toBe('acc-from-file');
    expect((await store.get('claude', 'claude-code'))?.tokens.refreshToken).toBe('sk-ant-ort01-imported-secret');
    await store.close();
  });

  it('reads $CODEX_HOME/auth.json when no --file is given', async () => {
    sandbox.write('auth.json', JSON.stringify(codexAuth));
    const result = await runCli(['accounts', 'import', 'codex'], sandbox, { env: { CODEX_HOME: sandbox.root } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Imported codex account "codex-cli"');
  });

  it.each([
    ['codex', 'missing.json', null, /no Codex CLI login found at .*missing\.json \(run `codex login` first, or pass --file\)/],
    ['codex', 'auth.json', 'not json', /auth\.json is not valid JSON/],
    ['codex', 'auth.json', JSON.stringify({ OPENAI_API_KEY: 'sk-key' }), /holds an API key, not a ChatGPT login/],
    ['codex', 'auth.json', JSON.stringify({ tokens: { access_token: 'a' } }), /is missing tokens\.refresh_token/],
    ['codex', 'auth.json', JSON.stringify({ tokens: { access_token: 'a', refresh_token: 'r' } }), /neither tokens\.account_id nor a ChatGPT account id/],
    ['claude', 'creds.json', JSON.stringify({}), /has no "claudeAiOauth" object/],
    ['claude', 'creds.json', JSON.stringify({ claudeAiOauth: { refreshToken: 'r' } }), /is missing claudeAiOauth\.accessToken/],
  ])('import %s from a bad %s says what is wrong', async (source, name, content, message) => {
    const file = content === null ? join(sandbox.root, name) : sandbox.write(name, content);
    const result = await runCli(['accounts', 'import', source, '--file', file], sandbox);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
  });

  it('switches the default, removes accounts and logs out', async () => {
    const first = sandbox.write('a.json', JSON.stringify(codexAuth));
    await runCli(['accounts', 'import', 'codex', '--file', first, '--account', 'home'], sandbox);
    await runCli(['accounts', 'import', 'codex', '--file', first, '--account', 'work'], sandbox);
    let list = await runCli(['accounts', 'list'], sandbox);
    expect(list.stdout).toMatch(/^codex\s+home\s+yes/m);
    expect(list.stdout).toMatch(/^codex\s+work\s+active/m);

    const use = await runCli(['accounts', 'use', 'codex', 'work'], sandbox);
    expect(use.stdout).toContain('codex now uses account "work".');
    list = await runCli(['accounts', 'list'], sandbox);
    expect(list.stdout).toMatch(/^codex\s+work\s+yes/m);

    const missing = await runCli(['accounts', 'use', 'codex', 'nobody'], sandbox);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no codex account named "nobody"');

    const logout = await runCli(['logout', 'codex'], sandbox);
    expect(logout.code).toBe(0);
    expect(logout.stdout).toContain('Logged out of codex account "work". The default is now "home".');
    const remove = await runCli(['accounts', 'remove', 'codex', 'home'], sandbox);
    expect(remove.stdout).toContain('Removed codex account "home".');
    expect((await runCli(['accounts', 'list'], sandbox)).stdout).toContain('No accounts');
    expect((await runCli(['logout', 'codex'], sandbox)).code).toBe(1);
  });

  it('status shows the instances with their credentials, and the accounts', async () => {
    const config = sandbox.write(
      'providers.yaml',
      ['providers:', '  local:', '    type: openai-compatible', '    base_url: http://127.0.0.1:9/v1', '    api_key: sk-x', '    models: [m]', '  qwen: {}', ''].join('\n'),
    );
    await runCli(['accounts', 'import', 'codex', '--file', sandbox.write('a.json', JSON.stringify(codexAuth))], sandbox);
    const status = await runCli(['status', '--config', config], sandbox);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`config: ${config}`);
    expect(status.stdout).toMatch(/^local\s+openai-compatible\s+yes\s+1 listed\s+1 api key$/m);
    expect(status.stdout).toMatch(/^qwen\s+qwen\s+no\s+catalog\s+no account for qwen: run `byokey login qwen`$/m);
    expect(status.stdout).toMatch(/^codex\s+codex \(implicit\)\s+yes\s+catalog\s+account "codex-cli"$/m);
    expect(status.stdout).toMatch(/^codex\s+codex-cli\s+yes\s+active\s+in 8 days\s+none reported$/m);
    expect(status.stdout).not.toContain('sk-x');
  });
});

describe('a database byokey cannot use', () => {
  it('stops the command with a clear message and leaves the file as it was', async () => {
    // Create the home and a valid database first (a write does; listing creates nothing), then break the database file.
    expect((await runCli(['keys', 'create', '--name', 'first'], sandbox)).code).toBe(0);
    const file = join(sandbox.home, 'byokey.db');
    writeFileSync(file, 'this is not a database, it is a grocery list\n'.repeat(200));
    const before = readFileSync(file);
    for (const args of [['accounts', 'list'], ['status'], ['logout', 'codex']]) {
      const result = await runCli(args, sandbox);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(file);
      expect(result.stderr).not.toMatch(/^\s+at /m);
    }
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('refuses a secret key that does not match the database', async () => {
    await runCli(['accounts', 'import', 'claude', '--file', sandbox.write('c.json', JSON.stringify({ claudeAiOauth: { accessToken: 'a', refreshToken: 'r' } }))], sandbox);
    const result = await runCli(['accounts', 'list'], sandbox, { env: { BYOKEY_SECRET_KEY: Buffer.alloc(32, 7).toString('base64') } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/key/i);
    expect(result.stderr).toContain('BYOKEY_SECRET_KEY');
  });
});
