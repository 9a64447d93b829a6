// Outbound proxies end to end (issue 17): the real gateway with only HTTP_PROXY / HTTPS_PROXY
// (and NO_PROXY) in its environment reaches its upstreams — HTTP calls, the Codex WebSocket, an
// OAuth token refresh — only through a forward proxy that demands credentials; `proxy_url` of an
// instance sends it through another proxy, or (`none`) straight to its upstream; the proxy's
// password never shows in a log line or an error. A `socks5://` / `socks5h://` proxy_url goes
// through a SOCKS5 proxy (a real one, speaking the protocol, in test/fakes/) for HTTP and the
// Codex WebSocket alike.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import OpenAI from 'openai';
import { importCredentialsFile } from '../src/auth/importers/credential-importer';
import { CODEX_CLI_IMPORTER } from '../src/providers/codex/codex-cli.importer';
import { SqliteAccountStore } from '../src/store/sqlite/sqlite-account-store';
import { FakeCodexBackend } from './fakes/codex-backend.fake';
import { FakeForwardProxy } from './fakes/forward-proxy.fake';
import { FakeSocks5Proxy } from './fakes/socks5-proxy.fake';
import { FakeOAuthServer } from './fakes/oauth-server.fake';
import { FakeOpenAIUpstream } from './fakes/openai-upstream.fake';
import { startGateway, type RunningGateway } from './support/gateway';

const CREDENTIALS = { user: 'corp-user', password: 'pr0xy-s3cret-pass' };
const BASIC = `Basic ${Buffer.from(`${CREDENTIALS.user}:${CREDENTIALS.password}`).toString('base64')}`;
const PROXY_VARIABLES = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy'];

const corporate = new FakeForwardProxy(CREDENTIALS);
const egress = new FakeForwardProxy();
const proxied = new FakeOpenAIUpstream();
const bypassed = new FakeOpenAIUpstream();
const pinned = new FakeOpenAIUpstream();
const direct = new FakeOpenAIUpstream();
const SOCKS_LOGIN = { user: 'socks-user', password: 's0cks-s3cret-pass' };
const socks = new FakeSocks5Proxy(SOCKS_LOGIN);
const socksed = new FakeOpenAIUpstream();
const backend = new FakeCodexBackend();
const oauth = new FakeOAuthServer();
const saved = new Map<string, string | undefined>();
let home: string;
let gateway: RunningGateway;
let logText = '';

/** `127.0.0.1:PORT` of a fake, as a proxy sees it in `CONNECT`. */
const hostOf = (url: string) => new URL(url).host;

function jwt(payload: object): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none' })}.${part(payload)}.sig`;
}

beforeAll(async () => {
  await Promise.all([corporate.start(), egress.start(), proxied.start(), bypassed.start(), pinned.start(), direct.start(), backend.start(), oauth.start(), socks.start(), socksed.start()]);
  // Only the environment names the corporate proxy; NO_PROXY exempts one upstream by host:port.
  for (const name of PROXY_VARIABLES) saved.set(name, process.env[name]);
  for (const name of PROXY_VARIABLES) delete process.env[name];
  process.env.HTTP_PROXY = corporate.proxyUrl(CREDENTIALS);
  process.env.HTTPS_PROXY = corporate.proxyUrl(CREDENTIALS);
  process.env.NO_PROXY = `example.invalid, ${hostOf(bypassed.url)}`;

  home = mkdtempSync(join(tmpdir(), 'byokey-proxy-'));
  const authFile = join(home, 'auth.json');
  writeFileSync(
    authFile,
    JSON.stringify({
      auth_mode: 'chatgpt',
      OPENAI_API_KEY: null,
      tokens: { id_token: jwt({ email: 'dev@example.com' }), access_token: 'codex-access-token-1', refresh_token: oauth.seedRefreshToken('openai'), account_id: 'acc-fake-0001' },
      last_refresh: new Date().toISOString(),
    }),
  );
  const store = SqliteAccountStore.open({ home });
  await store.save(importCredentialsFile(CODEX_CLI_IMPORTER, authFile));
  await store.close();

  const logs = new PassThrough();
  logs.on('data', (chunk: Buffer) => (logText += chunk.toString()));
  gateway = await startGateway(
    `
providers:
  via-env:
    type: openai-compatible
    base_url: ${proxied.url}
    api_key: sk-upstream-key
    models: [m-env]
  no-proxy:
    type: openai-compatible
    base_url: ${bypassed.url}
    api_key: sk-upstream-key
    models: [m-bypass]
  pinned:
    type: openai-compatible
    base_url: ${pinned.url}
    api_key: sk-upstream-key
    models: [m-pinned]
    proxy_url: ${egress.proxyUrl()}
  direct:
    type: openai-compatible
    base_url: ${direct.url}
    api_key: sk-upstream-key
    models: [m-direct]
    proxy_url: none
  wrong-password:
    type: openai-compatible
    base_url: ${pinned.url}
    api_key: sk-upstream-key
    models: [m-refused]
    proxy_url: ${corporate.proxyUrl({ user: CREDENTIALS.user, password: 'wr0ng-s3cret-pass' })}
  socks-remote-dns:
    type: openai-compatible
    base_url: ${socksed.url.replace('127.0.0.1', 'localhost')}
    api_key: sk-upstream-key
    models: [m-socks-h]
    proxy_url: ${socks.proxyUrl('socks5h', SOCKS_LOGIN)}
  socks-local-dns:
    type: openai-compatible
    base_url: ${socksed.url.replace('127.0.0.1', 'localhost')}
    api_key: sk-upstream-key
    models: [m-socks]
    proxy_url: ${socks.proxyUrl('socks5', SOCKS_LOGIN)}
  socks-wrong-password:
    type: openai-compatible
    base_url: ${socksed.url}
    api_key: sk-upstream-key
    models: [m-socks-refused]
    proxy_url: ${socks.proxyUrl('socks5', { user: SOCKS_LOGIN.user, password: 'wr0ng-s0cks-pass' })}
  codex-socks:
    type: codex
    transport: websocket
    base_url: ${backend.httpUrl}
    ws_url: ${backend.wsUrl}
    proxy_url: ${socks.proxyUrl('socks5', SOCKS_LOGIN)}
  codex:
    base_url: ${backend.httpUrl}
    oauth:
      token_url: ${oauth.urls.openai.token}
  codex-ws:
    type: codex
    transport: websocket
    base_url: ${backend.httpUrl}
    ws_url: ${backend.wsUrl}
`,
    { home, logLevel: 'info', logDestination: logs },
  );
});

afterAll(async () => {
  await gateway?.close();
  await Promise.all([corporate.stop(), egress.stop(), proxied.stop(), bypassed.stop(), pinned.stop(), direct.stop(), backend.stop(), oauth.stop(), socks.stop(), socksed.stop()]);
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  rmSync(home, { recursive: true, force: true });
});

const ask = (model: string, content = 'hello') => gateway.openai.chat.completions.create({ model, messages: [{ role: 'user', content }] });

describe('the environment proxy (HTTP_PROXY / HTTPS_PROXY)', () => {
  it('carries upstream requests, with the credentials of its URL as Proxy-Authorization', async () => {
    const answer = await ask('m-env');
    expect(answer.choices[0].message.content).toBe('You said: hello');
    const through = corporate.requests.filter((r) => r.target === hostOf(proxied.url));
    expect(through.length).toBeGreaterThan(0);
    expect(through.every((r) => r.method === 'CONNECT' && r.allowed && r.proxyAuthorization === BASIC)).toBe(true);
    expect(through.some((r) => r.tunneled?.requestLine === 'POST /v1/chat/completions HTTP/1.1')).toBe(true);
  });

  it('leaves out the hosts NO_PROXY names', async () => {
    const answer = await ask('m-bypass');
    expect(answer.choices[0].message.content).toBe('You said: hello');
    expect(bypassed.requests.length).toBeGreaterThan(0);
    expect(corporate.targets()).not.toContain(hostOf(bypassed.url));
  });

  it('carries the Codex WebSocket upstream', async () => {
    const connections = backend.connections;
    const answer = await ask('codex-ws/gpt-5.1-codex', 'over a socket');
    expect(answer.choices[0].message.content).toBe('You said: over a socket');
    expect(backend.lastRequest.transport).toBe('ws');
    expect(backend.connections).toBe(connections + 1);
    const upgrade = corporate.requests.find((r) => r.target === hostOf(backend.url) && r.tunneled?.upgrade?.toLowerCase() === 'websocket');
    expect(upgrade).toMatchObject({ method: 'CONNECT', allowed: true, proxyAuthorization: BASIC });
    expect(upgrade?.tunneled?.requestLine).toBe(`GET ${new URL(backend.wsUrl).pathname} HTTP/1.1`);
  });

  it('carries an OAuth token refresh', async () => {
    const before = oauth.tokenCallCount('refresh_token', 'openai');
    backend.script({ kind: 'http_error', transport: 'http', status: 401, body: { detail: 'Unauthorized' } });
    const answer = await ask('codex/gpt-5.1-codex', 'after a refresh');
    expect(answer.choices[0].message.content).toBe('You said: after a refresh');
    expect(oauth.tokenCallCount('refresh_token', 'openai')).toBe(before + 1);
    const refresh = corporate.requests.find((r) => r.target === hostOf(oauth.urls.openai.token) && r.tunneled?.requestLine.startsWith('POST '));
    expect(refresh).toMatchObject({ method: 'CONNECT', allowed: true, proxyAuthorization: BASIC });
    expect(refresh?.tunneled?.requestLine).toBe(`POST ${new URL(oauth.urls.openai.token).pathname} HTTP/1.1`);
  });
});

describe('proxy_url of an instance', () => {
  it('sends the instance through its own proxy instead of the environment one', async () => {
    const answer = await ask('m-pinned');
    expect(answer.choices[0].message.content).toBe('You said: hello');
    expect(egress.targets()).toContain(hostOf(pinned.url));
    expect(corporate.targets()).not.toContain(hostOf(pinned.url));
  });

  it('connects directly with `none`', async () => {
    const answer = await ask('m-direct');
    expect(answer.choices[0].message.content).toBe('You said: hello');
    expect(direct.requests.length).toBeGreaterThan(0);
    expect([...corporate.targets(), ...egress.targets()]).not.toContain(hostOf(direct.url));
  });
});

describe('a SOCKS5 proxy_url', () => {
  const socksedPort = () => Number(new URL(socksed.url).port);

  it('socks5h: carries the request, logging in with the URL\'s user and password, and lets the proxy resolve the name', async () => {
    const before = socks.connects.length;
    const answer = await ask('m-socks-h');
    expect(answer.choices[0].message.content).toBe('You said: hello');
    const through = socks.connects.slice(before);
    expect(through).toContainEqual(
      expect.objectContaining({ addressType: 3, host: 'localhost', port: socksedPort(), user: SOCKS_LOGIN.user, password: SOCKS_LOGIN.password, requestLine: 'POST /v1/chat/completions HTTP/1.1' }),
    );
    expect(corporate.targets()).not.toContain(`localhost:${socksedPort()}`);
  });

  it('socks5: resolves the name itself (localhost is 127.0.0.1 in /etc/hosts) and sends the proxy an address', async () => {
    const before = socks.connects.length;
    const answer = await ask('m-socks');
    expect(answer.choices[0].message.content).toBe('You said: hello');
    expect(socks.connects.slice(before)).toContainEqual(expect.objectContaining({ addressType: 1, host: '127.0.0.1', port: socksedPort(), requestLine: 'POST /v1/chat/completions HTTP/1.1' }));
    expect(corporate.targets()).not.toContain(hostOf(socksed.url));
  });

  it('carries the Codex WebSocket upstream', async () => {
    const before = socks.connects.length;
    const answer = await ask('codex-socks/gpt-5.1-codex', 'over a socks socket');
    expect(answer.choices[0].message.content).toBe('You said: over a socks socket');
    expect(backend.lastRequest.transport).toBe('ws');
    const upgrade = socks.connects.slice(before).find((c) => c.upgrade?.toLowerCase() === 'websocket');
    expect(upgrade).toMatchObject({ host: '127.0.0.1', port: Number(new URL(backend.wsUrl).port), user: SOCKS_LOGIN.user, requestLine: `GET ${new URL(backend.wsUrl).pathname} HTTP/1.1` });
  });

  it('fails a request whose login the proxy refuses, without showing the password', async () => {
    const refused = socks.refusedLogins;
    const error = await ask('m-socks-refused').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBeGreaterThanOrEqual(500);
    expect(socks.refusedLogins).toBeGreaterThan(refused);
    expect(JSON.stringify((error as InstanceType<typeof OpenAI.APIError>).error)).not.toContain('wr0ng-s0cks-pass');
    expect(logText).not.toContain('wr0ng-s0cks-pass');
    expect(logText).not.toContain(SOCKS_LOGIN.password);
  });
});

describe('proxy credentials', () => {
  it('fails a request the proxy refuses without showing the password', async () => {
    const refused = corporate.requests.length;
    const error = await ask('m-refused').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBeGreaterThanOrEqual(500);
    expect(corporate.requests.slice(refused).some((r) => !r.allowed && r.target === hostOf(pinned.url))).toBe(true);
    expect(JSON.stringify((error as InstanceType<typeof OpenAI.APIError>).error)).not.toContain('wr0ng-s3cret-pass');
  });

  it('keeps them out of the logs, which name the proxy in use', () => {
    expect(logText).toContain(`outbound requests go through http://[credentials]@${hostOf(corporate.origin)}`);
    expect(logText).not.toContain(CREDENTIALS.password);
    expect(logText).not.toContain('wr0ng-s3cret-pass');
  });
});
