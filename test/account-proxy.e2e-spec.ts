// An account pinned to its own egress: `byokey accounts set-proxy` (the built CLI) pins an
// imported Codex account to a SOCKS5 proxy; the gateway then sends that account's HTTP requests,
// its Codex WebSocket and its token refresh through it, though its instance names another proxy
// (`proxy_url`, an HTTP forward proxy). `accounts list`, `status` and the admin API show the
// proxy without its password, no log line holds it, and the admin API drops the pin again.
// `byokey login --proxy-url` pins a new login, whose code exchange already goes through it.
// Needs `npm run build` first.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { CODEX_CLI_ACCOUNT } from '../src/providers/codex/codex-cli.importer';
import { FakeCodexBackend } from './fakes/codex-backend.fake';
import { FakeForwardProxy } from './fakes/forward-proxy.fake';
import { FakeOAuthServer } from './fakes/oauth-server.fake';
import { FakeSocks5Proxy } from './fakes/socks5-proxy.fake';
import { request } from 'undici';
import { CliSandbox, freePort, killAllCli, runCli, startCli } from './support/cli-process';
import { startGateway, type RunningGateway } from './support/gateway';

const ADMIN_KEY = 'admin-key-account-proxy-0123456789';
const SOCKS_LOGIN = { user: 'pinned-user', password: 'pinned-s3cret-pass' };
const socks = new FakeSocks5Proxy(SOCKS_LOGIN);
const egress = new FakeForwardProxy();
const backend = new FakeCodexBackend();
const oauth = new FakeOAuthServer();
let sandbox: CliSandbox;
let home: string;
let config: string;
let gateway: RunningGateway;
let logText = '';
let callbackPort: number;

const hostOf = (url: string) => new URL(url).host;
const portOf = (url: string) => Number(new URL(url).port);

function jwt(payload: object): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none' })}.${part(payload)}.sig`;
}

function providersYaml(): string {
  return `
admin:
  key: ${ADMIN_KEY}
providers:
  codex:
    base_url: ${backend.httpUrl}
    proxy_url: ${egress.proxyUrl()}
    oauth:
      authorize_url: ${oauth.urls.openai.authorize}
      token_url: ${oauth.urls.openai.token}
      callback_port: ${callbackPort}
  codex-ws:
    type: codex
    transport: websocket
    base_url: ${backend.httpUrl}
    ws_url: ${backend.wsUrl}
    proxy_url: ${egress.proxyUrl()}
`;
}

async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${gateway.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const ask = (model: string, content: string) => gateway.openai.chat.completions.create({ model, messages: [{ role: 'user', content }] });

beforeAll(async () => {
  await Promise.all([socks.start(), egress.start(), backend.start(), oauth.start()]);
  callbackPort = await freePort();
  sandbox = new CliSandbox();
  home = mkdtempSync(join(tmpdir(), 'byokey-account-proxy-'));
  config = sandbox.write('providers.yaml', providersYaml());
  const authFile = sandbox.write(
    'auth.json',
    JSON.stringify({
      auth_mode: 'chatgpt',
      OPENAI_API_KEY: null,
      tokens: { id_token: jwt({ email: 'dev@example.com' }), access_token: 'codex-access-token-1', refresh_token: oauth.seedRefreshToken('openai'), account_id: 'acc-fake-0001' },
      last_refresh: new Date().toISOString(),
    }),
  );
  const imported = await runCli(['accounts', 'import', 'codex', '--file', authFile, '--config', config], sandbox, { home });
  expect(imported.code).toBe(0);
});

afterAll(async () => {
  await gateway?.close();
  await killAllCli();
  await Promise.all([socks.stop(), egress.stop(), backend.stop(), oauth.stop()]);
  sandbox.remove();
  rmSync(home, { recursive: true, force: true });
});

describe('byokey accounts set-proxy', () => {
  it('refuses a URL providers.yaml would refuse, with exit 2 and without echoing it', async () => {
    const result = await runCli(['accounts', 'set-proxy', 'codex', CODEX_CLI_ACCOUNT, 'socks4://u:leaky-pass@proxy:1080', '--config', config], sandbox, { home });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('not a usable proxy: it names a SOCKS4 proxy');
    expect(result.stderr).not.toContain('leaky-pass');
  });

  it('says so for an unknown account, with exit 1', async () => {
    const result = await runCli(['accounts', 'set-proxy', 'codex', 'nobody', 'none', '--config', config], sandbox, { home });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('byokey accounts set-proxy: no codex account named "nobody"');
  });

  it('pins the account, and list and status show the proxy without its password', async () => {
    const pin = await runCli(['accounts', 'set-proxy', 'codex', CODEX_CLI_ACCOUNT, socks.proxyUrl('socks5', SOCKS_LOGIN), '--config', config], sandbox, { home });
    expect(pin.stderr).toBe('');
    expect(pin.code).toBe(0);
    const masked = `socks5://[credentials]@127.0.0.1:${socks.port}`;
    expect(pin.stdout).toBe(`codex account "${CODEX_CLI_ACCOUNT}" now goes through ${masked}.\n`);

    const list = await runCli(['accounts', 'list', '--config', config], sandbox, { home });
    expect(list.stdout).toMatch(new RegExp(`^PROVIDER .* PROXY$`, 'm'));
    expect(list.stdout).toMatch(new RegExp(`^codex +${CODEX_CLI_ACCOUNT} +yes +active .*${masked.replace(/[[\]]/g, '\\$&')}$`, 'm'));
    const status = await runCli(['status', '--config', config], sandbox, { home });
    expect(status.stdout).toContain(masked);
    for (const output of [pin, list, status]) expect(output.stdout + output.stderr).not.toContain(SOCKS_LOGIN.password);
  });
});

describe('a pinned account in the gateway', () => {
  beforeAll(async () => {
    const logs = new PassThrough();
    logs.on('data', (chunk: Buffer) => (logText += chunk.toString()));
    gateway = await startGateway(providersYaml(), { home, logLevel: 'info', logDestination: logs });
  });

  it('sends its HTTP requests through its own proxy, not the instance\'s', async () => {
    const before = socks.connects.length;
    const answer = await ask('codex/gpt-5.1-codex', 'pinned over http');
    expect(answer.choices[0].message.content).toBe('You said: pinned over http');
    expect(backend.lastRequest.transport).toBe('http');
    expect(socks.connects.slice(before)).toContainEqual(
      expect.objectContaining({ host: '127.0.0.1', port: portOf(backend.httpUrl), user: SOCKS_LOGIN.user, password: SOCKS_LOGIN.password, requestLine: expect.stringMatching(/^POST \S*\/responses HTTP\/1\.1$/) }),
    );
    expect(egress.targets()).not.toContain(hostOf(backend.httpUrl));
  });

  it('opens its Codex WebSocket through its own proxy', async () => {
    const before = socks.connects.length;
    const answer = await ask('codex-ws/gpt-5.1-codex', 'pinned over a socket');
    expect(answer.choices[0].message.content).toBe('You said: pinned over a socket');
    expect(backend.lastRequest.transport).toBe('ws');
    const upgrade = socks.connects.slice(before).find((c) => c.upgrade?.toLowerCase() === 'websocket');
    expect(upgrade).toMatchObject({ port: portOf(backend.wsUrl), requestLine: `GET ${new URL(backend.wsUrl).pathname} HTTP/1.1` });
    expect(egress.targets()).not.toContain(hostOf(backend.wsUrl));
  });

  it('refreshes its token through its own proxy', async () => {
    const refreshes = oauth.tokenCallCount('refresh_token', 'openai');
    const before = socks.connects.length;
    backend.script({ kind: 'http_error', transport: 'http', status: 401, body: { detail: 'Unauthorized' } });
    const answer = await ask('codex/gpt-5.1-codex', 'after a refresh');
    expect(answer.choices[0].message.content).toBe('You said: after a refresh');
    expect(oauth.tokenCallCount('refresh_token', 'openai')).toBe(refreshes + 1);
    expect(socks.connects.slice(before)).toContainEqual(
      expect.objectContaining({ port: portOf(oauth.urls.openai.token), requestLine: `POST ${new URL(oauth.urls.openai.token).pathname} HTTP/1.1` }),
    );
    expect(egress.targets()).not.toContain(hostOf(oauth.urls.openai.token));
  });

  it('shows the pin in the admin API without its password, refuses a bad one there, and drops it', async () => {
    const listed = await admin('GET', '/admin/v1/accounts');
    expect(listed.status).toBe(200);
    expect((listed.json.data as Array<Record<string, unknown>>)[0]).toMatchObject({ account_id: CODEX_CLI_ACCOUNT, proxy: `socks5://[credentials]@127.0.0.1:${socks.port}` });
    expect(JSON.stringify(listed.json)).not.toContain(SOCKS_LOGIN.password);

    const refused = await admin('PUT', `/admin/v1/accounts/codex/${CODEX_CLI_ACCOUNT}/proxy`, { proxy_url: 'ftp://u:leaky-admin-pass@proxy.corp' });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.json)).toContain('must be a proxy URL');
    expect(JSON.stringify(refused.json)).not.toContain('leaky-admin-pass');
    expect((await admin('PUT', '/admin/v1/accounts/codex/nobody/proxy', { proxy_url: null })).status).toBe(404);

    const dropped = await admin('PUT', `/admin/v1/accounts/codex/${CODEX_CLI_ACCOUNT}/proxy`, { proxy_url: null });
    expect(dropped.status).toBe(200);
    expect(dropped.json.proxy).toBeUndefined();
    const before = socks.connects.length;
    const answer = await ask('codex/gpt-5.1-codex', 'unpinned');
    expect(answer.choices[0].message.content).toBe('You said: unpinned');
    expect(egress.targets()).toContain(hostOf(backend.httpUrl));
    expect(socks.connects.length).toBe(before);
  });

  it('never logs the proxy password', () => {
    expect(logText.length).toBeGreaterThan(0);
    expect(logText).not.toContain(SOCKS_LOGIN.password);
    expect(logText).not.toContain('leaky-admin-pass');
  });
});

describe('byokey login --proxy-url', () => {
  it('exchanges the code through the proxy it pins the new account to', async () => {
    const before = socks.connects.length;
    const proc = startCli(['login', 'codex', '--no-browser', '--account', 'travel', '--proxy-url', socks.proxyUrl('socks5h', SOCKS_LOGIN), '--config', config], sandbox, { home });
    const match = await proc.waitFor(/(http:\/\/127\.0\.0\.1:\d+\/openai\/oauth\/authorize\?\S+)/);
    // The browser, played by the test: the fake authorizes and redirects to byokey's callback.
    const approved = await request(match[1], { method: 'GET' });
    await approved.body.dump();
    const page = await request(String(approved.headers.location).replace('//localhost:', '//127.0.0.1:'));
    await page.body.dump();
    const result = await proc.exit();
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`The account's requests go through socks5h://[credentials]@127.0.0.1:${socks.port}.`);
    expect(result.stdout + result.stderr).not.toContain(SOCKS_LOGIN.password);
    expect(socks.connects.slice(before)).toContainEqual(
      expect.objectContaining({ addressType: 1, port: portOf(oauth.urls.openai.token), requestLine: `POST ${new URL(oauth.urls.openai.token).pathname} HTTP/1.1` }),
    );
    const list = await runCli(['accounts', 'list', '--config', config], sandbox, { home });
    expect(list.stdout).toMatch(new RegExp(`^codex +travel +.*socks5h://\\[credentials\\]@127\\.0\\.0\\.1:${socks.port}$`, 'm'));
  });

  it('refuses a URL it would not use, with exit 2, before any login starts', async () => {
    const result = await runCli(['login', 'codex', '--proxy-url', 'proxy.corp:3128', '--config', config], sandbox, { home });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('not a usable proxy: it must be a proxy URL such as http://proxy.example.com:3128');
  });
});
