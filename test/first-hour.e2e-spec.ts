// A user's first hour, behind a corporate TLS-inspecting proxy: the repo's default providers.yaml
// (no codex instance in it, no base_url anywhere), `byokey accounts import codex` reading the
// Codex CLI's ~/.codex/auth.json, `byokey serve`, and the official openai SDK asking for a Codex
// model. The gateway's implicit codex instance talks to the real https://chatgpt.com/backend-api/codex;
// the only thing pointing it here is HTTPS_PROXY, a proxy that ends TLS for chatgpt.com with a
// certificate from a CA made by this test (trusted through NODE_EXTRA_CA_CERTS, as such users set
// it) and hands the decrypted requests to the fake Codex backend. Every other CONNECT is refused,
// so nothing leaves the machine. Needs `npm run build` and the openssl CLI.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import OpenAI from 'openai';
import { FakeCodexBackend } from './fakes/codex-backend.fake';
import { FakeInterceptingProxy } from './fakes/intercepting-proxy.fake';
import { CliSandbox, killAllCli, runCli, startCli } from './support/cli-process';
import { makeTestCa, type TestCa } from './support/test-ca';

const ACCESS_TOKEN = 'codex-access-token-first-hour';
const CHATGPT_ACCOUNT = 'acc-first-hour-0001';
const REPO_PROVIDERS_YAML = resolve(__dirname, '..', 'providers.yaml');

const backend = new FakeCodexBackend();
let proxy: FakeInterceptingProxy;
let ca: TestCa;
let sandbox: CliSandbox;

function jwt(payload: object): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none' })}.${part(payload)}.sig`;
}

/** The environment of a user behind the proxy: only HTTPS_PROXY names it; their own HOME. */
function userEnv(home: string, trustCa: boolean): NodeJS.ProcessEnv {
  return {
    HOME: home,
    CODEX_HOME: '',
    HTTPS_PROXY: proxy.origin,
    https_proxy: '',
    HTTP_PROXY: '',
    http_proxy: '',
    NO_PROXY: '',
    no_proxy: '',
    OPENAI_API_KEY: '',
    NODE_EXTRA_CA_CERTS: trustCa ? ca.caFile : '',
  };
}

beforeAll(async () => {
  ca = makeTestCa('chatgpt.com');
  await backend.start();
  proxy = new FakeInterceptingProxy({ 'chatgpt.com:443': backend.url }, ca);
  await proxy.start();
  backend.acceptedTokens = [ACCESS_TOKEN];
  backend.accountId = CHATGPT_ACCOUNT;
});

afterAll(async () => {
  await Promise.all([backend.stop(), proxy.stop()]);
  ca.remove();
});

beforeEach(() => {
  sandbox = new CliSandbox();
  // The repo's providers.yaml where `byokey serve` looks by default: the working directory.
  copyFileSync(REPO_PROVIDERS_YAML, join(sandbox.cwd, 'providers.yaml'));
  const userHome = join(sandbox.root, 'user');
  mkdirSync(join(userHome, '.codex'), { recursive: true });
  writeFileSync(
    join(userHome, '.codex', 'auth.json'),
    JSON.stringify({
      auth_mode: 'chatgpt',
      OPENAI_API_KEY: null,
      tokens: { id_token: jwt({ email: 'first@example.com' }), access_token: ACCESS_TOKEN, refresh_token: 'codex-refresh-token-first-hour', account_id: CHATGPT_ACCOUNT },
      last_refresh: new Date().toISOString(),
    }),
  );
});

afterEach(async () => {
  await killAllCli();
  sandbox.remove();
});

const userHomeOf = (s: CliSandbox) => join(s.root, 'user');

describe('import a Codex account and get answers with the default providers.yaml, behind a TLS-inspecting proxy', () => {
  it('answers the openai SDK for a Codex model, every upstream byte through the proxy to chatgpt.com', async () => {
    const env = userEnv(userHomeOf(sandbox), true);
    const imported = await runCli(['accounts', 'import', 'codex'], sandbox, { env });
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain('Imported codex account');

    const serve = startCli(['serve', '--port', '0'], sandbox, { env });
    const { url, line } = await serve.listening(15_000);
    expect(line.instances).toContain('codex');
    const openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 });

    const before = backend.requests.length;
    const answer = await openai.chat.completions.create({ model: 'gpt-5.1-codex', messages: [{ role: 'user', content: 'hello from behind the proxy' }] });
    expect(answer.choices[0].message.content).toBe('You said: hello from behind the proxy');
    expect(backend.requests.length).toBe(before + 1);

    const streamed = await openai.responses.create({ model: 'gpt-5.1-codex', input: 'and streamed', stream: true });
    let text = '';
    for await (const event of streamed) if (event.type === 'response.output_text.delta') text += event.delta;
    expect(text).toBe('You said: and streamed');

    // The gateway went to chatgpt.com:443 and nowhere else, through TLS the proxy ended for chatgpt.com.
    expect(proxy.connects.length).toBeGreaterThan(0);
    expect(proxy.refused()).toEqual([]);
    const calls = proxy.decrypted.filter((r) => r.path.startsWith('/backend-api/codex/responses'));
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (const call of calls) expect(call).toMatchObject({ target: 'chatgpt.com:443', sni: 'chatgpt.com', host: 'chatgpt.com' });
    expect(backend.lastRequest.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
  });

  it('streams over the Codex WebSocket (wss://chatgpt.com) through the same proxy once the user asks for that transport', async () => {
    writeFileSync(join(sandbox.cwd, 'providers.yaml'), `${readFileSync(REPO_PROVIDERS_YAML, 'utf8')}\n  codex:\n    transport: websocket\n`);
    const env = userEnv(userHomeOf(sandbox), true);
    expect((await runCli(['accounts', 'import', 'codex'], sandbox, { env })).code).toBe(0);
    const serve = startCli(['serve', '--port', '0'], sandbox, { env });
    const { url } = await serve.listening(15_000);
    const openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const upgrades = backend.upgrades.length;
    const answer = await openai.chat.completions.create({ model: 'gpt-5.1-codex', messages: [{ role: 'user', content: 'over wss' }] });
    expect(answer.choices[0].message.content).toBe('You said: over wss');
    expect(backend.lastRequest.transport).toBe('ws');
    expect(backend.upgrades.length).toBe(upgrades + 1);
    expect(proxy.refused()).toEqual([]);
    expect(proxy.decrypted).toContainEqual(
      expect.objectContaining({ target: 'chatgpt.com:443', sni: 'chatgpt.com', method: 'GET', path: '/backend-api/codex/responses', upgrade: 'websocket' }),
    );
  });

  it('fails, saying the upstream could not be reached, when the proxy\'s CA is not trusted', async () => {
    const env = userEnv(userHomeOf(sandbox), false);
    expect((await runCli(['accounts', 'import', 'codex'], sandbox, { env })).code).toBe(0);
    const serve = startCli(['serve', '--port', '0'], sandbox, { env });
    const { url } = await serve.listening(15_000);
    const openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const before = backend.requests.length;
    const error = await openai.chat.completions.create({ model: 'gpt-5.1-codex', messages: [{ role: 'user', content: 'hello' }] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBeGreaterThanOrEqual(500);
    // Node's own words for a certificate it cannot trust, passed on to the caller.
    expect((error as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({
      code: 'upstream_unreachable',
      message: 'could not reach upstream codex (UNABLE_TO_VERIFY_LEAF_SIGNATURE: unable to verify the first certificate)',
    });
    expect(backend.requests.length).toBe(before);
  });
});
