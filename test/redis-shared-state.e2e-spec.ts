// Two gateways sharing state through the real Redis (127.0.0.1:6379, a random key prefix per
// pair), each started in this process with createGateway on a random port, in front of fake
// upstreams:
// - each with its own BYOKEY_HOME: a 429 seen through one benches that upstream key on the other
//   at once; an operator's reload on one makes the other read its own providers.yaml again
//   (mounted as a Kubernetes ConfigMap is: through a symlink, so no file watch sees the edit);
// - both on one BYOKEY_HOME (their shared store): a provider disabled at runtime on one is
//   disabled on the other within a second, and a new default account is used by the other at once;
// - and one whose Redis cannot be reached goes on with its own state, failing nothing.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import OpenAI from 'openai';
import { request } from 'undici';
import { loadGatewayConfig } from '../src/config/config.loader';
import { closeGateway, createGateway } from '../src/gateway';
import type { LogLevel } from '../src/logging/logger-options';
import { ChangeNotices } from '../src/store/shared/change-notices';
import { SqliteAccountStore } from '../src/store/sqlite/sqlite-account-store';
import { FakeOpenAIUpstream } from './fakes/openai-upstream.fake';
import { eventually } from './support/redis-instances';
import { deleteRedisPrefix, REDIS_URL, uniqueName } from './support/shared-services';

const ADMIN_KEY = 'admin-key-for-tests-0123456789';
const FIRST_KEY = 'sk-first-upstream-key-000000';
const SECOND_KEY = 'sk-second-upstream-key-00000';

const upstream = new FakeOpenAIUpstream();

interface Gateway {
  app: NestFastifyApplication;
  url: string;
  openai: OpenAI;
}

/** Where a test's files live: each gateway's providers.yaml "mount", and its BYOKEY_HOME. */
let dir: string;
let prefix: string;
let gateways: Gateway[];

/** providers.yaml as a ConfigMap mounts it: `<mount>/providers.yaml` -> `<mount>/..data/providers.yaml`. */
function mountConfig(name: string, text: string): { file: string; edit: (text: string) => void } {
  const mount = join(dir, name);
  mkdirSync(join(mount, '..data'), { recursive: true });
  const target = join(mount, '..data', 'providers.yaml');
  writeFileSync(target, text);
  const file = join(mount, 'providers.yaml');
  symlinkSync(target, file);
  return { file, edit: (next) => writeFileSync(target, next) };
}

async function start(file: string, home: string): Promise<Gateway> {
  const config = loadGatewayConfig({ file, env: {} });
  const app = await createGateway(config, { home, logLevel: (process.env.BYOKEY_TEST_LOG_LEVEL as LogLevel | undefined) ?? 'silent' });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const gateway = { app, url, openai: new OpenAI({ baseURL: `${url}/v1`, apiKey: 'client', maxRetries: 0 }) };
  gateways.push(gateway);
  return gateway;
}

async function admin(gateway: Gateway, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { authorization: `Bearer ${ADMIN_KEY}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const answer = await request(`${gateway.url}${path}`, { method: method as 'GET', headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await answer.body.text();
  return { status: answer.statusCode, body: text ? JSON.parse(text) : undefined };
}

async function modelIds(gateway: Gateway): Promise<string[]> {
  return (await gateway.openai.models.list()).data.map((m) => m.id);
}

const bearer = (index: number) => String(upstream.requests[index].headers.authorization).replace('Bearer ', '');
const ask = (gateway: Gateway, model: string) => gateway.openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });

function yaml(providers: string): string {
  return `
admin:
  key: ${ADMIN_KEY}
redis:
  url: ${REDIS_URL}
  key_prefix: "${prefix}"
routing:
  cooldown_ms: 60000
providers:
${providers}`;
}

const POOL = `  pool:
    type: openai-compatible
    base_url: ${'${UPSTREAM}'}
    strategy: fill-first
    api_keys: [${FIRST_KEY}, ${SECOND_KEY}]
    models: [pool-model]
`;

beforeAll(() => upstream.start());
afterAll(() => upstream.stop());
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'byokey-redis-state-'));
  prefix = `${uniqueName('state')}:`;
  gateways = [];
  upstream.clearScript();
});
afterEach(async () => {
  await Promise.all(gateways.map((g) => closeGateway(g.app, 1000)));
  await deleteRedisPrefix(prefix);
  rmSync(dir, { recursive: true, force: true });
});

describe('two gateways, each with its own BYOKEY_HOME', () => {
  const pool = () => POOL.replace('${UPSTREAM}', upstream.url);

  async function pair(extra = ''): Promise<{ a: Gateway; b: Gateway; configs: Array<{ edit: (text: string) => void }> }> {
    const configs = ['a', 'b'].map((name) => mountConfig(name, yaml(pool() + extra)));
    const homes = ['home-a', 'home-b'].map((name) => join(dir, name));
    homes.forEach((home) => mkdirSync(home));
    const [a, b] = [await start(configs[0].file, homes[0]), await start(configs[1].file, homes[1])];
    return { a, b, configs };
  }

  it('a 429 for one upstream key seen through A makes B use the other key at once', async () => {
    const { a, b } = await pair();
    const seen = upstream.requests.length;
    upstream.script({ kind: 'error', status: 429, headers: { 'retry-after': '30' }, body: { error: { message: 'slow down', type: 'requests', param: null, code: null } } });

    // A tries the first key, is told 429, and serves the request with the second.
    await ask(a, 'pool-model');
    expect([bearer(seen), bearer(seen + 1)]).toEqual([FIRST_KEY, SECOND_KEY]);

    // B's admin view has the first key resting, for as long as the upstream said. (Through Redis it
    // is there in milliseconds; without it B would never know: 10 s is only a loaded machine's room.)
    const cooling = await eventually(async () => {
      const credential = (await admin(b, 'GET', '/admin/v1/providers/pool')).body.credentials.find((c: { id: string }) => c.id === 'api_keys[0]');
      return credential.state === 'cooling' ? credential : undefined;
    }, 10_000);
    expect(Date.parse(cooling.cooling_until) - Date.now()).toBeGreaterThan(25_000);

    // B never tries the resting key: its first request goes to the second.
    await ask(b, 'pool-model');
    expect(upstream.requests.length).toBe(seen + 3);
    expect(bearer(seen + 2)).toBe(SECOND_KEY);
  });

  it('an admin reload on A makes B read its own providers.yaml again within a second', async () => {
    const { a, b, configs } = await pair();
    const extra = `  late:
    type: openai-compatible
    base_url: ${upstream.url}
    api_key: sk-late-key
    models: [late-model]
`;
    // The ConfigMap changes on both; neither gateway's file watch notices (a symlink's target changed).
    for (const config of configs) config.edit(yaml(pool() + extra));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await modelIds(b)).not.toContain('late-model');

    const reloaded = await admin(a, 'POST', '/admin/v1/reload');
    expect(reloaded.body).toMatchObject({ reloaded: true, added: ['late'] });
    const answeredAt = Date.now();

    // The notice reaches B in milliseconds. Nothing else would ever make B read the file again (its
    // watch misses the symlink swap, and nothing polls), so 5 s only leaves a loaded machine room.
    await eventually(async () => ((await modelIds(b)).includes('late-model') ? true : undefined), 5000);
    expect(Date.now() - answeredAt).toBeLessThan(5000);
    const served = await ask(b, 'late-model');
    expect(served.model).toBeDefined();
  });
});

describe('two gateways on one store (one BYOKEY_HOME)', () => {
  async function pair(): Promise<{ a: Gateway; b: Gateway }> {
    const home = join(dir, 'home');
    mkdirSync(home);
    const store = SqliteAccountStore.open({ home, env: {} });
    const hour = Date.now() + 3_600_000;
    await store.save({ provider: 'qwen', accountId: 'first', tokens: { accessToken: 'acct-first' }, expiresAt: hour });
    await store.save({ provider: 'qwen', accountId: 'second', tokens: { accessToken: 'acct-second' }, expiresAt: hour });
    await store.close();
    const providers = `${POOL.replace('${UPSTREAM}', upstream.url)}  qwen:
    base_url: ${upstream.url}
    strategy: fill-first
`;
    const [fileA, fileB] = ['a', 'b'].map((name) => mountConfig(name, yaml(providers)).file);
    return { a: await start(fileA, home), b: await start(fileB, home) };
  }

  it('a provider disabled at runtime on A is disabled on B within a second, and enabled again', async () => {
    const { a, b } = await pair();
    expect(await modelIds(b)).toContain('pool-model');

    expect((await admin(a, 'PATCH', '/admin/v1/providers/pool', { enabled: false })).body).toMatchObject({ enabled: false });
    const answeredAt = Date.now();
    // B reads the runtime changes from the store when the notice comes (milliseconds) and at no other
    // time but a reload: without the notice it would serve the provider on. 5 s is a loaded machine's room.
    await eventually(async () => ((await modelIds(b)).includes('pool-model') ? undefined : true), 5000);
    expect(Date.now() - answeredAt).toBeLessThan(5000);
    const refused = await ask(b, 'pool-model').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.NotFoundError);
    expect((await admin(b, 'GET', '/admin/v1/providers/pool')).body).toMatchObject({ enabled: false, sources: { enabled: 'runtime' } });

    await admin(a, 'PATCH', '/admin/v1/providers/pool', { enabled: null });
    await eventually(async () => ((await modelIds(b)).includes('pool-model') ? true : undefined), 5000);
  });

  it('a new default account set on A is what B uses next, without waiting for its copy of the accounts to age', async () => {
    const { a, b } = await pair();
    const seen = upstream.requests.length;
    await ask(b, 'qwen3-coder-plus'); // B reads the accounts now: it may keep them for 2 s
    expect(bearer(seen)).toBe('acct-first');

    // Proved by order, not by the clock (B's copy ages out in 2 s, too close to time a loaded
    // machine by): B hears A's notice, and the very next request on B uses the new default. B's
    // own listeners (its account caches) subscribed at start, so they have run when this one runs;
    // a B that ignored the notice would still use its copy of the accounts, read moments ago.
    let heard = false;
    const stop = b.app.get(ChangeNotices).subscribe('accounts', () => (heard = true));
    try {
      const made = await admin(a, 'POST', '/admin/v1/accounts/qwen/second/default');
      expect(made.body).toMatchObject({ account_id: 'second', is_default: true });
      // Through Redis in milliseconds; without the notice, never.
      await eventually(() => (heard ? true : undefined), 5000, "A's accounts notice on B");
    } finally {
      stop();
    }
    const before = upstream.requests.length;
    await ask(b, 'qwen3-coder-plus');
    expect(bearer(before)).toBe('acct-second');
  });
});

describe('a gateway whose Redis cannot be reached', () => {
  it('serves, rests a rate-limited key by itself, and takes admin changes, all without failing a request', async () => {
    const config = mountConfig('alone', yaml(POOL.replace('${UPSTREAM}', upstream.url)).replace(REDIS_URL, 'redis://127.0.0.1:1'));
    const home = join(dir, 'home');
    mkdirSync(home);
    const gateway = await start(config.file, home);
    const seen = upstream.requests.length;

    expect((await ask(gateway, 'pool-model')).choices[0].message.content).toBeTruthy();
    upstream.script({ kind: 'error', status: 429, headers: { 'retry-after': '30' }, body: { error: { message: 'slow down', type: 'requests', param: null, code: null } } });
    await ask(gateway, 'pool-model');
    await ask(gateway, 'pool-model');
    expect([seen, seen + 1, seen + 2, seen + 3].map(bearer)).toEqual([FIRST_KEY, FIRST_KEY, SECOND_KEY, SECOND_KEY]);

    expect((await admin(gateway, 'POST', '/admin/v1/reload')).status).toBe(200);
    expect((await admin(gateway, 'PATCH', '/admin/v1/providers/pool', { enabled: false })).status).toBe(200);
    expect(await modelIds(gateway)).not.toContain('pool-model');
  });
});
