// The admin REST API under /admin/v1 and the OpenAPI document, against the real gateway on a
// random port, with plain HTTP (undici) as an administrator's script would use it: the admin key
// (missing, wrong, not configured), every route, a runtime disable seen in /v1/models at once
// and after a restart, a runtime upstream key that serves the next request and never appears in
// any answer or log line, logins over HTTP (device code, and PKCE with the redirect pasted back)
// against the fake OAuth server that end with an account serving the next request, /reload,
// /openapi.json and /docs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { request } from 'undici';
import { PluginRegistry } from '../src/registry/plugin-registry.service';
import { FakeCodexBackend } from './fakes/codex-backend.fake';
import { FakeOAuthServer } from './fakes/oauth-server.fake';
import { FakeOpenAIUpstream } from './fakes/openai-upstream.fake';
import { startGateway, type RunningGateway } from './support/gateway';

const ADMIN_KEY = 'admin-key-for-tests-0123456789';
const RUNTIME_KEY = 'sk-runtime-SECRET-upstream-key-9876WXYZ';
const FILE_KEY = 'sk-file-SECRET-upstream-key-000001111';

const upstream = new FakeOpenAIUpstream();
const codexBackend = new FakeCodexBackend();
const oauth = new FakeOAuthServer();
let home: string;
let gateway: RunningGateway;
/** Every log line every gateway of this file wrote. */
let logs = '';
/** Every admin answer's body, to look for secrets in. */
const answers: string[] = [];

const logSink = () =>
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs += chunk.toString('utf8');
      done();
    },
  });

const providersYaml = () => `
admin:
  key: ${ADMIN_KEY}
providers:
  local:
    type: openai-compatible
    base_url: ${upstream.url}
    models: [alpha-1]
  spare:
    type: openai-compatible
    base_url: ${upstream.url}
    api_key: ${FILE_KEY}
    models: [beta-1]
  codex:
    base_url: ${codexBackend.httpUrl}
    transport: http
    oauth:
      authorize_url: ${oauth.urls.openai.authorize}
      token_url: ${oauth.urls.openai.token}
      callback_port: 0
  qwen:
    base_url: ${upstream.url}
    oauth:
      device_code_url: ${oauth.urls.qwen.deviceCode}
      token_url: ${oauth.urls.qwen.token}
`;

async function start(yaml = providersYaml()): Promise<RunningGateway> {
  return startGateway(yaml, { home, logLevel: 'debug', logDestination: logSink() });
}

interface Answer<T = any> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | undefined>;
}

/** One admin call; the key defaults to the right one, `null` sends none. */
async function admin<T = any>(method: string, path: string, body?: unknown, key: string | null = ADMIN_KEY): Promise<Answer<T>> {
  const headers: Record<string, string> = {};
  if (key !== null) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const answer = await request(`${gateway.url}${path}`, {
    method: method as 'GET',
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await answer.body.text();
  answers.push(text);
  return { status: answer.statusCode, body: text ? JSON.parse(text) : undefined, headers: answer.headers };
}

async function chat(model: string): Promise<{ status: number; body: any }> {
  const answer = await request(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer client' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
  return { status: answer.statusCode, body: await answer.body.json() };
}

async function modelIds(): Promise<string[]> {
  const answer = await request(`${gateway.url}/v1/models`);
  return ((await answer.body.json()) as { data: Array<{ id: string }> }).data.map((m) => m.id);
}

const provider = async (name: string) => (await admin('GET', '/admin/v1/providers')).body.data.find((p: { name: string }) => p.name === name);

beforeAll(async () => {
  await Promise.all([upstream.start(), codexBackend.start(), oauth.start()]);
});
afterAll(async () => {
  await Promise.all([upstream.stop(), codexBackend.stop(), oauth.stop()]);
});
beforeEach(async () => {
  home = mkdtempSync(join(tmpdir(), 'byokey-admin-'));
  gateway = await start();
});
afterEach(async () => {
  await gateway.close();
  rmSync(home, { recursive: true, force: true });
  upstream.apiKey = undefined;
  oauth.deviceInterval = 5;
  oauth.deviceExpiresIn = 900;
});

describe('the admin key', () => {
  it('is required on every admin route: none or a wrong one gets 401, in OpenAI\'s error shape', async () => {
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/admin/v1/providers'],
      ['PATCH', '/admin/v1/providers/local', { enabled: false }],
      ['POST', '/admin/v1/providers/local/keys', { key: RUNTIME_KEY }],
      ['DELETE', '/admin/v1/providers/local/keys/0'],
      ['GET', '/admin/v1/accounts'],
      ['POST', '/admin/v1/accounts/codex/login', {}],
      ['POST', '/admin/v1/reload'],
    ];
    for (const [method, path, body] of routes) {
      for (const key of [null, 'wrong-admin-key']) {
        const answer = await admin(method, path, body, key);
        expect([method, path, key, answer.status]).toEqual([method, path, key, 401]);
        expect(answer.body.error).toMatchObject({ type: 'authentication_error', code: 'invalid_admin_key' });
      }
    }
    // Nothing was changed by the refused calls.
    expect(await modelIds()).toEqual(expect.arrayContaining(['alpha-1', 'beta-1']));
    expect((await provider('local')).credentials).toEqual([]);
  });

  it('also works as x-api-key', async () => {
    const answer = await request(`${gateway.url}/admin/v1/providers`, { headers: { 'x-api-key': ADMIN_KEY } });
    expect(answer.statusCode).toBe(200);
    await answer.body.dump();
  });
});

describe('a gateway without an admin key', () => {
  it('has no admin routes (404, whatever the key) and documents none', async () => {
    await gateway.close();
    gateway = await start(providersYaml().replace(`admin:\n  key: ${ADMIN_KEY}\n`, ''));
    const answer = await admin('GET', '/admin/v1/providers', undefined, 'anything');
    expect(answer.status).toBe(404);
    expect(answer.body.error.code).toBe('unknown_url');
    const document = (await (await request(`${gateway.url}/openapi.json`)).body.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths)).toContain('/v1/chat/completions');
    expect(Object.keys(document.paths).filter((p) => p.startsWith('/admin'))).toEqual([]);
  });
});

describe('/admin/v1/providers', () => {
  it('lists every instance: plugin, enabled and where it comes from, models, credentials masked, and what to do without one', async () => {
    const answer = await admin('GET', '/admin/v1/providers');
    expect(answer.status).toBe(200);
    const byName = Object.fromEntries(answer.body.data.map((p: { name: string }) => [p.name, p]));
    expect(Object.keys(byName)).toEqual(['local', 'spare', 'codex', 'qwen']);
    expect(byName.spare).toMatchObject({
      plugin: 'openai-compatible',
      enabled: true,
      sources: { enabled: 'file', models: 'file' },
      models: ['beta-1'],
      credentials: [{ id: 'api_key', kind: 'api-key', source: 'file', masked_key: 'sk-…1111', state: 'ready' }],
    });
    expect(byName.codex).toMatchObject({ plugin: 'codex', sources: { models: 'plugin' }, credentials: [] });
    expect(byName.codex.hint).toContain('POST /admin/v1/accounts/codex/login');
    expect(answers.join('\n')).not.toContain(FILE_KEY);
    expect((await admin('GET', '/admin/v1/providers/nope')).status).toBe(404);
  });

  it('a runtime disable is visible in /v1/models at once, refuses the model, and survives a restart; null goes back to the file', async () => {
    expect(await modelIds()).toContain('beta-1');
    const patched = await admin('PATCH', '/admin/v1/providers/spare', { enabled: false });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'spare', enabled: false, sources: { enabled: 'runtime' }, file_enabled: true });
    expect(await modelIds()).not.toContain('beta-1');
    const refused = await chat('beta-1');
    expect(refused.status).toBe(404);
    expect(refused.body.error.message).toContain('spare');

    await gateway.close();
    gateway = await start();
    expect(await modelIds()).not.toContain('beta-1');
    expect(await modelIds()).toContain('alpha-1');
    expect((await provider('spare')).enabled).toBe(false);

    const restored = await admin('PATCH', '/admin/v1/providers/spare', { enabled: null });
    expect(restored.body).toMatchObject({ enabled: true, sources: { enabled: 'file' } });
    expect(await modelIds()).toContain('beta-1');
    expect((await chat('beta-1')).status).toBe(200);
  });

  it('refuses a body that is not what the route takes, saying which field is wrong', async () => {
    const wrongType = await admin('PATCH', '/admin/v1/providers/spare', { enabled: 'no' });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error).toMatchObject({ code: 'invalid_body', param: 'enabled' });
    expect(wrongType.body.error.message).toContain('enabled must be true, false, or null');
    const unknown = await admin('POST', '/admin/v1/providers/local/keys', { key: RUNTIME_KEY, lable: 'typo' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain('property lable should not exist');
    const digits = await admin('POST', '/admin/v1/providers/local/keys', { key: RUNTIME_KEY, label: '123' });
    expect(digits.status).toBe(400);
    expect((await admin('PATCH', '/admin/v1/providers/nope', { enabled: false })).status).toBe(404);
    expect((await admin('GET', '/admin/v1/providers')).body.data.find((p: { name: string }) => p.name === 'spare').enabled).toBe(true);
  });

  it('a runtime upstream key serves the next request, is kept encrypted across a restart, and never shows in an answer or a log line', async () => {
    upstream.apiKey = RUNTIME_KEY;
    const without = await chat('alpha-1');
    expect(without.status).toBeGreaterThanOrEqual(400);
    const failing = await provider('local');
    expect(failing.last_error).toMatchObject({ credential: 'none', status: 401 });

    const added = await admin('POST', '/admin/v1/providers/local/keys', { key: RUNTIME_KEY, label: 'team-a' });
    expect(added.status).toBe(201);
    expect(added.body.id).toBe('runtime:team-a');
    expect(added.body.provider.credentials).toEqual([
      expect.objectContaining({ id: 'runtime:team-a', source: 'runtime', label: 'team-a', masked_key: 'sk-…WXYZ', state: 'ready' }),
    ]);
    const served = await chat('alpha-1');
    expect(served.status).toBe(200);
    expect(upstream.lastRequest.headers.authorization).toBe(`Bearer ${RUNTIME_KEY}`);

    expect((await admin('POST', '/admin/v1/providers/local/keys', { key: 'sk-other-key-0000000000', label: 'team-a' })).status).toBe(409);
    expect((await admin('POST', '/admin/v1/providers/local/keys', { key: RUNTIME_KEY })).body.error.code).toBe('key_exists');
    const fileKey = await admin('DELETE', '/admin/v1/providers/spare/keys/api_key');
    expect(fileKey.status).toBe(409);
    expect(fileKey.body.error.message).toContain('providers.yaml');

    await gateway.close();
    gateway = await start();
    expect((await chat('alpha-1')).status).toBe(200);
    expect(upstream.lastRequest.headers.authorization).toBe(`Bearer ${RUNTIME_KEY}`);

    const removed = await admin('DELETE', '/admin/v1/providers/local/keys/team-a');
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ id: 'runtime:team-a', deleted: true, provider: { credentials: [] } });
    expect((await chat('alpha-1')).status).toBeGreaterThanOrEqual(400);
    expect((await admin('DELETE', '/admin/v1/providers/local/keys/team-a')).status).toBe(404);

    expect(logs).toContain('runtime:team-a');
    expect(answers.join('\n')).not.toContain(RUNTIME_KEY);
    expect(logs).not.toContain(RUNTIME_KEY);
    expect(answers.join('\n') + logs).not.toContain(RUNTIME_KEY.slice(0, 20));
  });
});

describe('/admin/v1/accounts', () => {
  const authJson = (accessToken: string) => ({
    OPENAI_API_KEY: null,
    tokens: { access_token: accessToken, refresh_token: 'rt_SECRET_imported_refresh', account_id: 'acc-imported-1' },
    last_refresh: '2026-01-01T00:00:00Z',
  });

  it('imports a Codex CLI auth.json, lists it without tokens, makes a default, removes it', async () => {
    const imported = await admin('POST', '/admin/v1/accounts/codex/import?account=laptop', authJson('codex-SECRET-access-1'));
    expect(imported.status).toBe(201);
    expect(imported.body).toMatchObject({ provider: 'codex', account_id: 'laptop', is_default: true, status: 'active', claims: { chatgpt_account_id: 'acc-imported-1' } });
    await admin('POST', '/admin/v1/accounts/codex/import?account=second', authJson('codex-SECRET-access-2'));

    const listed = await admin('GET', '/admin/v1/accounts?provider=codex');
    expect(listed.body.data.map((a: { account_id: string; is_default: boolean }) => [a.account_id, a.is_default])).toEqual([
      ['laptop', true],
      ['second', false],
    ]);
    const made = await admin('POST', '/admin/v1/accounts/codex/second/default');
    expect(made).toMatchObject({ status: 200, body: { account_id: 'second', is_default: true } });

    // The imported account serves codex requests at once.
    expect((await chat('gpt-5.4')).status).toBe(200);
    expect(codexBackend.requests.at(-1)?.headers.authorization).toBe('Bearer codex-SECRET-access-2');

    expect((await admin('DELETE', '/admin/v1/accounts/codex/second')).body).toEqual({ provider: 'codex', account_id: 'second', deleted: true });
    expect((await admin('DELETE', '/admin/v1/accounts/codex/second')).status).toBe(404);
    expect((await admin('GET', '/admin/v1/accounts')).body.data.map((a: { account_id: string; is_default: boolean }) => [a.account_id, a.is_default])).toEqual([['laptop', true]]);

    const broken = await admin('POST', '/admin/v1/accounts/codex/import', { tokens: { access_token: 'x' } });
    expect(broken.status).toBe(400);
    expect(broken.body.error.message).toContain('the request body is missing tokens.refresh_token');
    expect((await admin('POST', '/admin/v1/accounts/qwen/import', {})).status).toBe(400);
    for (const secret of ['codex-SECRET-access', 'rt_SECRET_imported_refresh']) expect(answers.join('\n') + logs).not.toContain(secret);
  });

  it('a device-code login over HTTP: code and URL, pending, approved, done with an account that serves the next request', async () => {
    oauth.deviceInterval = 1;
    const started = await admin('POST', '/admin/v1/accounts/qwen/login', {});
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ provider: 'qwen', account_id: 'default', flow: 'device-code', status: 'pending', verification_uri: 'https://chat.qwen.ai/authorize' });
    expect(started.body.user_code).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    expect(Date.parse(started.body.expires_at)).toBeGreaterThan(Date.now());
    expect((await admin('GET', `/admin/v1/accounts/logins/${started.body.id}`)).body.status).toBe('pending');
    const paste = await admin('POST', `/admin/v1/accounts/logins/${started.body.id}/complete`, { redirect_url: 'http://localhost/x?code=1' });
    expect(paste.status).toBe(409);

    oauth.approveDevice(started.body.user_code);
    let login = started.body;
    for (const deadline = Date.now() + 15_000; login.status === 'pending' && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      login = (await admin('GET', `/admin/v1/accounts/logins/${started.body.id}`)).body;
    }
    expect(login).toMatchObject({ status: 'done', account: { provider: 'qwen', account_id: 'default', is_default: true, status: 'active' } });

    const served = await chat('qwen3-coder-plus');
    expect(served.status).toBe(200);
    expect(upstream.lastRequest.headers.authorization).toMatch(/^Bearer \S+$/);
    const token = upstream.lastRequest.headers.authorization!.slice('Bearer '.length);
    expect(answers.join('\n') + logs).not.toContain(token);
  });

  it('a PKCE login over HTTP: the authorize URL, the redirected address pasted back, an account that serves the next request', async () => {
    const started = await admin('POST', '/admin/v1/accounts/codex/login', { account: 'work' });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ provider: 'codex', account_id: 'work', flow: 'authorization-code', status: 'pending' });
    const authorize = new URL(started.body.authorize_url);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('redirect_uri')).toBe(started.body.redirect_uri);

    const bad = await admin('POST', `/admin/v1/accounts/logins/${started.body.id}/complete`, { redirect_url: 'not a url at all' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.param).toBe('redirect_url');

    // The person logs in in a browser elsewhere; the browser lands on the redirect URI, which they copy.
    const approved = await request(authorize);
    expect(approved.statusCode).toBe(302);
    await approved.body.dump();
    const redirected = approved.headers.location as string;
    const done = await admin('POST', `/admin/v1/accounts/logins/${started.body.id}/complete`, { redirect_url: redirected });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'done', account: { provider: 'codex', account_id: 'work', label: 'user@example.com' } });
    expect(done.body.authorize_url).toBeUndefined();
    expect((await admin('GET', `/admin/v1/accounts/logins/${started.body.id}`)).body.status).toBe('done');
    expect((await admin('POST', `/admin/v1/accounts/logins/${started.body.id}/complete`, { redirect_url: redirected })).status).toBe(409);

    const before = codexBackend.requests.length;
    expect((await chat('gpt-5.4')).status).toBe(200);
    expect(codexBackend.requests.length).toBe(before + 1);
    const token = (codexBackend.requests.at(-1)?.headers.authorization as string).slice('Bearer '.length);
    expect(answers.join('\n') + logs).not.toContain(token);
    expect(answers.join('\n') + logs).not.toContain(new URL(redirected).searchParams.get('code')!);
  });

  it('bounds the logins pending at once, and a pending login expires with its device code', async () => {
    oauth.deviceInterval = 1;
    oauth.deviceExpiresIn = 2;
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const started = await admin('POST', '/admin/v1/accounts/qwen/login', { account: `team-${i}` });
      expect(started.status).toBe(202);
      ids.push(started.body.id);
    }
    const ninth = await admin('POST', '/admin/v1/accounts/qwen/login', { account: 'one-too-many' });
    expect(ninth.status).toBe(429);
    expect(ninth.body.error.code).toBe('too_many_pending_logins');
    expect(ninth.headers['retry-after']).toBeDefined();

    let login = (await admin('GET', `/admin/v1/accounts/logins/${ids[0]}`)).body;
    for (const deadline = Date.now() + 10_000; login.status === 'pending' && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      login = (await admin('GET', `/admin/v1/accounts/logins/${ids[0]}`)).body;
    }
    expect(login).toMatchObject({ status: 'failed', error: { code: 'expired_token' } });
    expect(login.error.message).toContain('expired');
    expect((await admin('POST', '/admin/v1/accounts/qwen/login', { account: 'after-expiry' })).status).toBe(202);
    expect((await admin('GET', '/admin/v1/accounts?provider=qwen')).body.data).toEqual([]);
  });

  it('a login for a provider byokey cannot log in to is a 404 naming those it can', async () => {
    const answer = await admin('POST', '/admin/v1/accounts/myspace/login', {});
    expect(answer.status).toBe(404);
    expect(answer.body.error.message).toContain('codex');
  });
});

describe('/admin/v1/reload', () => {
  it('reloads providers.yaml and says what changed; an invalid file changes nothing and says why', async () => {
    const file = gateway.app.get(PluginRegistry).config.source;
    writeFileSync(file, `${providersYaml()}  extra:\n    type: openai-compatible\n    base_url: ${upstream.url}\n    models: [gamma-1]\n`);
    const reloaded = await admin('POST', '/admin/v1/reload');
    expect(reloaded.status).toBe(200);
    expect(reloaded.body).toMatchObject({ reloaded: true, source: file, instances: ['local', 'spare', 'codex', 'qwen', 'extra'] });
    expect(await modelIds()).toContain('gamma-1');

    writeFileSync(file, `${providersYaml()}  broken:\n    type: openai-compatibel\n`);
    const refused = await admin('POST', '/admin/v1/reload');
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('invalid_config');
    expect(refused.body.error.message).toContain('did you mean "openai-compatible"');
    expect(await modelIds()).toContain('gamma-1');
  });
});

describe('the OpenAPI document and /docs', () => {
  it('/openapi.json lists every public and admin route, the admin routes behind the admin bearer scheme', async () => {
    const answer = await request(`${gateway.url}/openapi.json`);
    expect(answer.statusCode).toBe(200);
    const document = (await answer.body.json()) as {
      paths: Record<string, Record<string, { security?: Array<Record<string, string[]>>; requestBody?: unknown }>>;
      components: { securitySchemes: Record<string, { type: string; scheme?: string }> };
    };
    const operations = Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
    expect(operations).toEqual(
      expect.arrayContaining([
        'POST /v1/chat/completions',
        'POST /v1/responses',
        'POST /v1/messages',
        'POST /v1/messages/count_tokens',
        'GET /v1/models',
        'GET /admin/v1/providers',
        'GET /admin/v1/providers/{instance}',
        'PATCH /admin/v1/providers/{instance}',
        'POST /admin/v1/providers/{instance}/keys',
        'DELETE /admin/v1/providers/{instance}/keys/{key}',
        'GET /admin/v1/accounts',
        'DELETE /admin/v1/accounts/{provider}/{account}',
        'POST /admin/v1/accounts/{provider}/{account}/default',
        'POST /admin/v1/accounts/{provider}/import',
        'POST /admin/v1/accounts/{provider}/login',
        'GET /admin/v1/accounts/logins/{id}',
        'POST /admin/v1/accounts/logins/{id}/complete',
        'POST /admin/v1/reload',
      ]),
    );
    expect(document.components.securitySchemes['admin-key']).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const [path, item] of Object.entries(document.paths)) {
      if (!path.startsWith('/admin/')) continue;
      for (const operation of Object.values(item)) expect(operation.security).toEqual([{ 'admin-key': [] }]);
    }
    expect(document.paths['/v1/chat/completions'].post.requestBody).toBeDefined();
  });

  it('/docs answers the Swagger UI page', async () => {
    const answer = await request(`${gateway.url}/docs`);
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toContain('text/html');
    expect(await answer.body.text()).toContain('swagger-ui');
  });
});
