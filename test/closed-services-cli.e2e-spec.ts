// `byokey login` through the built executable for the providers this work added or changed:
// qwen and iflow print the one-line closed-service notice before they start (and still log in
// against the endpoints providers.yaml names); iflow's login stores the API key getUserInfo gives,
// not the OAuth token; kimi prints no notice; and every login says what happens next — the
// instance that serves the account, or the exact providers.yaml lines to add.
import { request } from 'undici';
import { SqliteAccountStore } from '../src/store/sqlite/sqlite-account-store';
import { FakeIflow } from './fakes/iflow.fake';
import { FakeKimi } from './fakes/kimi.fake';
import { FakeOAuthServer } from './fakes/oauth-server.fake';
import { CliSandbox, freePort, killAllCli, startCli } from './support/cli-process';

const QWEN_NOTICE =
  'Note: Qwen Code\'s free OAuth tier ended on 2026-04-15; this login still works where that endpoint answers. ' +
  'For Qwen with an API key, use the DashScope preset in the README ("Services that closed").';
const IFLOW_NOTICE =
  'Note: iFlow\'s CLI service shut down on 2026-04-17; this login still works where its endpoints answer. ' +
  'For iFlow\'s API with a key, use the iFlow preset in the README ("Services that closed").';

let sandbox: CliSandbox;
const oauth = new FakeOAuthServer();
const iflow = new FakeIflow();
const kimi = new FakeKimi();

beforeAll(async () => {
  await Promise.all([oauth.start(), iflow.start(), kimi.start()]);
});
afterAll(async () => {
  await Promise.all([oauth.stop(), iflow.stop(), kimi.stop()]);
});
beforeEach(() => {
  sandbox = new CliSandbox();
});
afterEach(async () => {
  await killAllCli();
  sandbox.remove();
});

async function storedAccount(provider: string) {
  const store = SqliteAccountStore.open({ home: sandbox.home });
  try {
    return await store.getDefault(provider);
  } finally {
    await store.close();
  }
}

describe('byokey login for closed services and the new plugins', () => {
  it('iflow: prints the closed-service notice, logs in through the browser flow, stores the API key, and names the instance that serves it', async () => {
    const config = sandbox.write(
      'providers.yaml',
      ['providers:', '  iflow:', '    oauth:', `      authorize_url: ${iflow.authorizeUrl}`, `      token_url: ${iflow.tokenUrl}`, `      callback_port: ${await freePort()}`, ''].join('\n'),
    );
    const proc = startCli(['login', 'iflow', '--no-browser', '--config', config], sandbox);
    const match = await proc.waitFor(/(http:\/\/127\.0\.0\.1:\d+\/oauth\?\S+)/);
    const authorize = new URL(match[1]);
    expect(authorize.searchParams.get('client_id')).toBe('10009311001');
    expect(authorize.searchParams.get('loginMethod')).toBe('phone');
    // The "browser": the fake redirects to byokey's loopback callback.
    const approved = await request(authorize);
    await approved.body.dump();
    const page = await request((approved.headers.location as string).replace('//localhost:', '//127.0.0.1:'));
    await page.body.dump();
    const result = await proc.exit();
    expect(result.code).toBe(0);
    expect(result.stderr.split('\n')).toContain(IFLOW_NOTICE);
    expect(result.stdout).toContain('Logged in to iFlow as flow@example.com: account "default", the default');
    expect(result.stdout).toContain(`Provider instance iflow (${config}) serves it: a running \`byokey serve\` picks it up within seconds.`);
    expect(result.stdout + result.stderr).not.toMatch(/login only|cannot serve/);

    const account = (await storedAccount('iflow'))!;
    // What requests need: the key getUserInfo gave for the OAuth token, which is not stored.
    expect(account.tokens.accessToken).toMatch(/^sk-[0-9a-f]{32}$/);
    const info = iflow.calls('GET', '/api/oauth/getUserInfo').at(-1)!;
    expect(info.query.accessToken).toMatch(/^iflow-at-/);
    expect(result.stdout + result.stderr).not.toContain(account.tokens.accessToken);
  });

  it('qwen: prints the closed-service notice, then logs in with the device flow as before', async () => {
    const config = sandbox.write(
      'providers.yaml',
      ['providers:', '  qwen:', '    oauth:', `      device_code_url: ${oauth.urls.qwen.deviceCode}`, `      token_url: ${oauth.urls.qwen.token}`, ''].join('\n'),
    );
    oauth.deviceInterval = 1;
    oauth.deviceAutoApprove = true;
    try {
      const result = await startCli(['login', 'qwen', '--no-browser', '--config', config], sandbox).exit(15_000);
      expect(result.code).toBe(0);
      expect(result.stderr.split('\n')).toContain(QWEN_NOTICE);
      expect(result.stdout).toContain('Logged in to Qwen Code: account "default", the default');
      expect(result.stdout).toContain(`Provider instance qwen (${config}) serves it`);
    } finally {
      oauth.deviceAutoApprove = false;
    }
  });

  it('kimi: no notice; when the file keeps the provider off, prints the exact lines that make it serve', async () => {
    const config = sandbox.write(
      'providers.yaml',
      [
        'providers:',
        '  kimi:',
        '    type: openai-compatible',
        '    base_url: http://127.0.0.1:9/v1',
        '    models: [m]',
        '  kimi-code:',
        '    type: kimi',
        '    enabled: false',
        '    oauth:',
        `      device_code_url: ${kimi.deviceCodeUrl}`,
        `      token_url: ${kimi.tokenUrl}`,
        '',
      ].join('\n'),
    );
    const result = await startCli(['login', 'kimi', '--no-browser', '--config', config], sandbox).exit(15_000);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain('Note:');
    expect(result.stdout).toContain('Logged in to Kimi Code: account "default", the default; token expires in 60 min.');
    expect(result.stdout).toContain(
      `Provider instance kimi-code is disabled in ${config}, so nothing serves it. To serve it, set there:\n  providers:\n    kimi-code:\n      enabled: true`,
    );
    expect(kimi.calls('POST', '/api/oauth/device_authorization').at(-1)!.headers['user-agent']).toBe('KimiCLI/1.10.6');
    expect((await storedAccount('kimi'))?.status).toBe('active');
  });
});
