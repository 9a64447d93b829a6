// Logins over the admin API behind a round-robin load balancer: two gateways started in this
// process with createGateway on random ports, sharing one store (one BYOKEY_HOME) and the real
// Redis (127.0.0.1:6379, a random key prefix per test), in front of the fake OAuth server and
// fake upstreams. A login started on A is polled on B until done (device code, approved at the
// fake), and completed on B with the redirected address (browser PKCE; the code is exchanged by
// A, which holds the verifier), after which both serve the account; a login whose gateway stops
// (or vanished, or crashed) reads as failed on the other. Without Redis, a login is known only to the gateway running it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import Redis from 'ioredis';
import { request } from 'undici';
import { loadGatewayConfig } from '../src/config/config.loader';
import { closeGateway, createGateway } from '../src/gateway';
import type { LogLevel } from '../src/logging/logger-options';
import { FakeCodexBackend } from './fakes/codex-backend.fake';
import { FakeOAuthServer } from './fakes/oauth-server.fake';
import { FakeOpenAIUpstream } from './fakes/openai-upstream.fake';
import { eventually } from './support/redis-instances';
import { deleteRedisPrefix, REDIS_URL, uniqueName } from './support/shared-services';

const ADMIN_KEY = 'admin-key-for-tests-0123456789';

const upstream = new FakeOpenAIUpstream();
const codexBackend = new FakeCodexBackend();
const oauth = new FakeOAuthServer();

interface Gateway {
  app: NestFastifyApplication;
  url: string;
  closed: boolean;
}

let dir: string;
let home: string;
let prefix: string;
let gateways: Gateway[];

function yaml(withRedis: boolean): string {
  const redis = withRedis ? `redis:\n  url: ${REDIS_URL}\n  key_prefix: "${prefix}"\n` : '';
  return `
admin:
  key: ${ADMIN_KEY}
${redis}providers:
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
}

async function start(name: string, withRedis = true): Promise<Gateway> {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, yaml(withRedis));
  const config = loadGatewayConfig({ file, env: {} });
  const app = await createGateway(config, { home, logLevel: (process.env.BYOKEY_TEST_LOG_LEVEL as LogLevel | undefined) ?? 'silent' });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const gateway = { app, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, closed: false };
  gateways.push(gateway);
  return gateway;
}

async function stop(gateway: Gateway): Promise<void> {
  gateway.closed = true;
  await closeGateway(gateway.app, 1000);
}

async function admin(gateway: Gateway, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { authorization: `Bearer ${ADMIN_KEY}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const answer = await request(`${gateway.url}${path}`, { method: method as 'GET', headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await answer.body.text();
  return { status: answer.statusCode, body: text ? JSON.parse(text) : undefined };
}

const login = (gateway: Gateway, id: string) => admin(gateway, 'GET', `/admin/v1/accounts/logins/${id}`);

async function chat(gateway: Gateway, model: string): Promise<number> {
  const answer = await request(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer client' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
  await answer.body.dump();
  return answer.statusCode;
}

/** The person approves in a browser elsewhere, which lands on the redirect URI: the address they copy. */
async function approveInBrowser(authorizeUrl: string): Promise<string> {
  const approved = await request(authorizeUrl);
  expect(approved.statusCode).toBe(302);
  await approved.body.dump();
  return approved.headers.location as string;
}

beforeAll(() => Promise.all([upstream.start(), codexBackend.start(), oauth.start()]));
afterAll(() => Promise.all([upstream.stop(), codexBackend.stop(), oauth.stop()]));
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'byokey-shared-logins-'));
  home = join(dir, 'home');
  mkdirSync(home);
  prefix = `${uniqueName('logins')}:`;
  gateways = [];
  oauth.deviceInterval = 1;
});
afterEach(async () => {
  await Promise.all(gateways.filter((g) => !g.closed).map((g) => closeGateway(g.app, 1000)));
  await deleteRedisPrefix(prefix);
  rmSync(dir, { recursive: true, force: true });
  oauth.deviceInterval = 5;
});

describe('two gateways sharing Redis and a store', () => {
  it('a device-code login started on A is polled on B until done, and both serve the account', async () => {
    const [a, b] = [await start('a'), await start('b')];
    const started = await admin(a, 'POST', '/admin/v1/accounts/qwen/login', { account: 'team' });
    expect(started.status).toBe(202);

    const seenOnB = await login(b, started.body.id);
    expect(seenOnB.status).toBe(200);
    expect(seenOnB.body).toEqual(started.body);
    expect(seenOnB.body).toMatchObject({ flow: 'device-code', status: 'pending', user_code: expect.stringMatching(/^[A-Z]{4}-[A-Z]{4}$/) });
    // Nothing to paste for a device code, on B as on A.
    const pasted = await admin(b, 'POST', `/admin/v1/accounts/logins/${started.body.id}/complete`, { redirect_url: 'http://localhost/x?code=1' });
    expect([pasted.status, pasted.body.error.code]).toEqual([409, 'not_a_browser_login']);

    oauth.approveDevice(seenOnB.body.user_code);
    const done = await eventually(
      async () => {
        const polled = (await login(b, started.body.id)).body;
        return polled.status === 'pending' ? undefined : polled;
      },
      15_000,
      'the login finishing',
    );
    expect(done).toMatchObject({ status: 'done', account: { provider: 'qwen', account_id: 'team', status: 'active' } });
    expect(done.next).toContain('Logged in');
    expect((await login(a, started.body.id)).body).toEqual(done);

    for (const gateway of [b, a]) await eventually(async () => ((await chat(gateway, 'qwen3-coder-plus')) === 200 ? true : undefined), 3000);
  });

  it('a browser login started on A is completed on B: A exchanges the code, and both serve the account', async () => {
    const [a, b] = [await start('a'), await start('b')];
    const started = await admin(a, 'POST', '/admin/v1/accounts/codex/login', { account: 'work' });
    expect(started.status).toBe(202);
    expect((await login(b, started.body.id)).body).toMatchObject({ flow: 'authorization-code', status: 'pending', authorize_url: started.body.authorize_url });

    // Not an address: refused by B itself, and the login goes on.
    const bad = await admin(b, 'POST', `/admin/v1/accounts/logins/${started.body.id}/complete`, { redirect_url: 'not a url at all' });
    expect([bad.status, bad.body.error.param]).toEqual([400, 'redirect_url']);
    expect((await login(a, started.body.id)).body.status).toBe('pending');

    const redirected = await approveInBrowser(started.body.authorize_url);
    const tokenCalls = oauth.tokenCallCount('authorization_code', 'openai');
    const completed = await admin(b, 'POST', `/admin/v1/accounts/logins/${started.body.id}/complete`, { redirect_url: redirected });
    expect(completed.status).toBe(200);
    expect(completed.body).toMatchObject({ status: 'done', account: { provider: 'codex', account_id: 'work', label: 'user@example.com' } });
    expect(completed.body.authorize_url).toBeUndefined();
    expect(oauth.tokenCallCount('authorization_code', 'openai')).toBe(tokenCalls + 1);
    expect((await login(a, started.body.id)).body.status).toBe('done');
    const again = await admin(b, 'POST', `/admin/v1/accounts/logins/${started.body.id}/complete`, { redirect_url: redirected });
    expect([again.status, again.body.error.code]).toEqual([409, 'login_finished']);

    for (const gateway of [a, b]) await eventually(async () => ((await chat(gateway, 'gpt-5.4')) === 200 ? true : undefined), 3000);
    // What Redis keeps of the login is its public view: no code, no token.
    const token = (codexBackend.requests.at(-1)?.headers.authorization as string).slice('Bearer '.length);
    const kept = await keptInRedis();
    expect(kept).toContain(started.body.id);
    for (const secret of [token, new URL(redirected).searchParams.get('code')!]) expect(kept).not.toContain(secret);
  });

  it('a pending login whose gateway stops reads as failed on the other, saying so', async () => {
    const [a, b] = [await start('a'), await start('b')];
    const started = await admin(a, 'POST', '/admin/v1/accounts/codex/login', {});
    await stop(a);

    const polled = await login(b, started.body.id);
    expect(polled.status).toBe(200);
    expect(polled.body).toMatchObject({ status: 'failed', error: { code: 'gateway_stopped' } });
    expect(polled.body.error.message).toContain('stopped');
    expect(polled.body.authorize_url).toBeUndefined();
    const pasted = await admin(b, 'POST', `/admin/v1/accounts/logins/${started.body.id}/complete`, { redirect_url: 'http://localhost:1455/auth/callback?code=c&state=s' });
    expect([pasted.status, pasted.body.error.code]).toEqual([409, 'login_finished']);
  });

  it('a pending login whose gateway vanished without a word (it stopped sharing it) reads as failed', async () => {
    const b = await start('b');
    const view = { id: 'login_orphan', provider: 'codex', account_id: 'work', flow: 'authorization-code', status: 'pending', authorize_url: 'https://auth.example/authorize', next: 'Open authorize_url' };
    const redis = new Redis(REDIS_URL);
    try {
      // As a crashed gateway left it: last shared a while ago.
      await redis.set(`${prefix}login:login_orphan`, JSON.stringify({ owner: 'crashed-instance', aliveUntil: Date.now() - 1000, view }), 'PX', 60_000);
    } finally {
      redis.disconnect();
    }
    const polled = await login(b, 'login_orphan');
    expect(polled.body).toMatchObject({ id: 'login_orphan', status: 'failed', error: { code: 'login_owner_gone' }, next: expect.stringContaining('POST /admin/v1/accounts/codex/login') });
    expect(polled.body.authorize_url).toBeUndefined();
  });

  it('a pending login whose gateway crashed moments ago reads as failed within seconds, not when its last share runs out', async () => {
    const b = await start('b');
    const view = { id: 'login_crashed', provider: 'codex', account_id: 'work', flow: 'authorization-code', status: 'pending', authorize_url: 'https://auth.example/authorize', next: 'Open authorize_url' };
    const redis = new Redis(REDIS_URL);
    try {
      // Its last share still vouches for it for 30 s, but its connection (and so its hand-over channel) is gone.
      await redis.set(`${prefix}login:login_crashed`, JSON.stringify({ owner: 'crashed-instance', aliveUntil: Date.now() + 30_000, view }), 'PX', 60_000);
    } finally {
      redis.disconnect();
    }
    // Heard silent once, it is given the few seconds a reconnecting subscriber needs...
    expect((await login(b, 'login_crashed')).body.status).toBe('pending');
    // ...and then read as gone, long before its last share (30 s) runs out.
    const asked = Date.now();
    let polled = await login(b, 'login_crashed');
    while (polled.body.status === 'pending' && Date.now() - asked < 15_000) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      polled = await login(b, 'login_crashed');
    }
    expect(polled.body).toMatchObject({ status: 'failed', error: { code: 'login_owner_gone' } });
    const pasted = await admin(b, 'POST', '/admin/v1/accounts/logins/login_crashed/complete', { redirect_url: 'http://localhost:1455/auth/callback?code=c&state=s' });
    expect([pasted.status, pasted.body.error.code]).toEqual([409, 'login_finished']);
  });
});

describe('two gateways without Redis', () => {
  it('a login is known only to the gateway that started it, as before', async () => {
    const [a, b] = [await start('a', false), await start('b', false)];
    const started = await admin(a, 'POST', '/admin/v1/accounts/qwen/login', {});
    expect((await login(a, started.body.id)).body.status).toBe('pending');
    const elsewhere = await login(b, started.body.id);
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body.error.code).toBe('login_not_found');
    expect(elsewhere.body.error.message).toContain('known only to the gateway that started it');
  });
});

/** Every key and value under this test's prefix, as text. */
async function keptInRedis(): Promise<string> {
  const redis = new Redis(REDIS_URL);
  try {
    const keys = await redis.keys(`${prefix}*`);
    const values = await Promise.all(keys.map(async (key) => ((await redis.type(key)) === 'string' ? redis.get(key) : '')));
    return keys.map((key, i) => `${key}=${values[i]}`).join('\n');
  } finally {
    redis.disconnect();
  }
}
