// Several gateways on one PostgreSQL schema, as behind a load balancer: two real gateways (two
// apps, two ports, two BYOKEY_HOMEs, one BYOKEY_SECRET_KEY) sharing `store:`. A client key made
// over one's admin API works on the other within a second and a revoke on the other stops it on
// the first; a Codex login imported through one serves requests through the other; usage written
// by both is seen by /admin/v1/usage on either; `byokey keys`, `accounts`, `usage`, `status`,
// `login` and `logout` (the built executable) work on the same schema; a gateway with another
// secret key is refused at start.
// Needs PostgreSQL at 127.0.0.1:5432 (test/support/postgres.ts) and `npm run build` for the CLI.
import { randomBytes } from 'node:crypto';
import OpenAI from 'openai';
import { request } from 'undici';
import { parseGatewayConfig } from '../src/config/config.loader';
import { createGateway } from '../src/gateway';
import { PostgresAccountStore } from '../src/store/postgres/postgres-account-store';
import { StoreError } from '../src/store/store-error';
import { FakeCodexBackend } from './fakes/codex-backend.fake';
import { FakeOAuthServer } from './fakes/oauth-server.fake';
import { FakeOpenAIUpstream } from './fakes/openai-upstream.fake';
import { CliSandbox, freePort, killAllCli, runCli, startCli } from './support/cli-process';
import { startGateway, type RunningGateway } from './support/gateway';
import { dropSchema, randomSchema, TEST_DATABASE_URL } from './support/postgres';

const ADMIN_KEY = 'admin-key-postgres-e2e-0123456789';
const SECRET_KEY = randomBytes(32).toString('base64');
const CODEX_TOKEN = 'codex-access-token-from-import';
const CHATGPT_ACCOUNT = 'acc-fake-0001';
const USER = [{ role: 'user' as const, content: 'hello' }];

const schema = randomSchema('byokey_e2e');
const upstream = new FakeOpenAIUpstream();
const backend = new FakeCodexBackend();
const oauth = new FakeOAuthServer();
let a: RunningGateway;
let b: RunningGateway;
let sandbox: CliSandbox;
let savedSecretKey: string | undefined;
/** A client key both gateways accept once it exists (the first test makes it). */
let clientSecret: string;

function jwt(payload: object): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none' })}.${part(payload)}.sig`;
}

function providersYaml(): string {
  return `
admin:
  key: ${ADMIN_KEY}
store:
  url: ${TEST_DATABASE_URL}
  schema: ${schema}
providers:
  local:
    type: openai-compatible
    base_url: ${upstream.url}
    api_key: sk-upstream
    models: [gpt-5-mini]
  codex:
    base_url: ${backend.httpUrl}
    oauth:
      authorize_url: ${oauth.urls.openai.authorize}
      token_url: ${oauth.urls.openai.token}
      callback_port: ${callbackPort}
`;
}
let callbackPort: number;

beforeAll(async () => {
  await upstream.start();
  await backend.start();
  await oauth.start();
  callbackPort = await freePort();
  // The stores read the key from the process environment, as `byokey serve` does.
  savedSecretKey = process.env.BYOKEY_SECRET_KEY;
  process.env.BYOKEY_SECRET_KEY = SECRET_KEY;
  // Started together, as a fleet is: the migrations run once, under the advisory lock.
  [a, b] = await Promise.all([startGateway(providersYaml()), startGateway(providersYaml())]);
  sandbox = new CliSandbox();
});

afterAll(async () => {
  await killAllCli();
  await a?.close();
  await b?.close();
  if (savedSecretKey === undefined) delete process.env.BYOKEY_SECRET_KEY;
  else process.env.BYOKEY_SECRET_KEY = savedSecretKey;
  sandbox?.remove();
  await upstream.stop();
  await backend.stop();
  await oauth.stop();
  await dropSchema(schema);
});

async function admin(gateway: RunningGateway, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) {
  const res = await request(`${gateway.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.statusCode, json: (await res.body.json()) as any };
}

function client(gateway: RunningGateway, apiKey: string): OpenAI {
  return new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey, maxRetries: 0 });
}

/** Whether a chat completion with `apiKey` is let in (a 401 is "no"; anything else throws). */
async function accepted(gateway: RunningGateway, apiKey: string): Promise<boolean> {
  try {
    await client(gateway, apiKey).chat.completions.create({ model: 'gpt-5-mini', messages: USER });
    return true;
  } catch (error) {
    if (error instanceof OpenAI.AuthenticationError) return false;
    throw error;
  }
}

/** Polls `check` until it holds; how long that took (ms). Fails after `timeoutMs`. */
async function within(timeoutMs: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * How long a key change on one gateway may take to reach the other. There is no Redis here: each
 * polls the store's key revision every 500 ms (KEY_POLL_MS), so it takes about half a second; a
 * gateway that never re-read the store would never see it. 5 s leaves a loaded machine room.
 */
const KEY_CHANGE_MS = 5_000;

function cliEnv() {
  return { BYOKEY_SECRET_KEY: SECRET_KEY };
}

describe('two gateways on one PostgreSQL schema', () => {
  it('accepts on one a client key created over the admin API of the other, within a second', async () => {
    const created = await admin(a, 'POST', '/admin/v1/keys', { name: 'team-a' });
    expect(created.status).toBe(201);
    clientSecret = created.json.secret;
    // b lets everyone in while it knows of no key (open mode); once it has seen the new key, it
    // takes only that one.
    const elapsed = await within(KEY_CHANGE_MS, async () => !(await accepted(b, 'bk-made-up')));
    expect(elapsed).toBeLessThan(KEY_CHANGE_MS);
    expect(await accepted(b, clientSecret)).toBe(true);
    expect((await admin(b, 'GET', '/admin/v1/keys')).json.data.map((k: { name: string }) => k.name)).toEqual(['team-a']);
  });

  it('stops a key on one within a second of its revoke on the other', async () => {
    const created = await admin(b, 'POST', '/admin/v1/keys', { name: 'short-lived' });
    await within(KEY_CHANGE_MS, () => accepted(a, created.json.secret));
    expect((await admin(b, 'DELETE', `/admin/v1/keys/${created.json.key.id}`)).status).toBe(200);
    const elapsed = await within(KEY_CHANGE_MS, async () => !(await accepted(a, created.json.secret)));
    expect(elapsed).toBeLessThan(KEY_CHANGE_MS);
  });

  it('serves a Codex request through one with an account imported through the other', async () => {
    backend.acceptedTokens = [CODEX_TOKEN];
    backend.accountId = CHATGPT_ACCOUNT;
    const imported = await admin(a, 'POST', '/admin/v1/accounts/codex/import?account=shared', {
      auth_mode: 'chatgpt',
      OPENAI_API_KEY: null,
      tokens: { id_token: jwt({ email: 'dev@example.com' }), access_token: CODEX_TOKEN, refresh_token: oauth.seedRefreshToken('openai'), account_id: CHATGPT_ACCOUNT },
      last_refresh: new Date().toISOString(),
    });
    expect(imported.status).toBe(201);
    // b reads accounts afresh at least every 2 s (its account cache); it has never read codex's.
    // Seconds at most; 15 s is a loaded machine's room (a b that never re-read would never serve it).
    let answer: OpenAI.ChatCompletion | undefined;
    await within(15_000, async () => {
      try {
        answer = await client(b, clientSecret).chat.completions.create({ model: 'codex/gpt-5.1-codex', messages: [{ role: 'user', content: 'hello codex' }] });
        return true;
      } catch (error) {
        if (error instanceof OpenAI.APIError && error.status !== 401) return false;
        throw error;
      }
    });
    expect(answer?.choices[0].message.content).toBe('You said: hello codex');
    expect(backend.lastRequest.headers.authorization).toBe(`Bearer ${CODEX_TOKEN}`);
    expect(backend.lastRequest.headers['chatgpt-account-id']).toBe(CHATGPT_ACCOUNT);
    expect((await admin(b, 'GET', '/admin/v1/accounts?provider=codex')).json.data).toEqual([
      expect.objectContaining({ provider: 'codex', account_id: 'shared', is_default: true }),
    ]);
  });

  it('shows the usage written by both gateways on either', async () => {
    const created = await admin(a, 'POST', '/admin/v1/keys', { name: 'usage-both' });
    const key = created.json.secret as string;
    await within(KEY_CHANGE_MS, () => accepted(b, key));
    const requestIds: string[] = [];
    for (const gateway of [a, b, a, b, b]) {
      const { response } = await client(gateway, key).chat.completions.create({ model: 'gpt-5-mini', messages: USER }).withResponse();
      requestIds.push(response.headers.get('x-request-id')!);
    }
    // The acceptance checks above were requests too; count those of this key from here on via ids.
    for (const gateway of [a, b]) {
      await within(5_000, async () => {
        const records = await admin(gateway, 'GET', '/admin/v1/usage/records?limit=1000');
        const ids = new Set(records.json.data.map((r: { request_id: string }) => r.request_id));
        return requestIds.every((id) => ids.has(id));
      });
      const byKey = await admin(gateway, 'GET', '/admin/v1/usage?by=key&since=1h');
      const group = byKey.json.data.find((g: { group: string }) => g.group === created.json.key.id);
      // 5 above, plus the polls that found the key accepted on b (at least one).
      expect(group.requests).toBeGreaterThanOrEqual(6);
      expect(group.key_name).toBe('usage-both');
    }
  });

  // A run of byokey processes, and waits sized for a loaded machine: more than jest's default 30 s.
  it('lets `byokey keys`, `accounts`, `usage` and `status` work on the same schema the gateways use', async () => {
    const config = sandbox.write('providers.yaml', providersYaml());
    const created = await runCli(['keys', 'create', '--name', 'from-cli', '--config', config], sandbox, { env: cliEnv() });
    expect(created.code).toBe(0);
    const secret = /bk-[A-Za-z0-9_-]{43}/.exec(created.stdout)![0];
    await within(KEY_CHANGE_MS, () => accepted(a, secret));

    const listed = await runCli(['keys', 'list', '--config', config], sandbox, { env: cliEnv() });
    expect(listed.code).toBe(0);
    for (const name of ['team-a', 'usage-both', 'from-cli']) expect(listed.stdout).toMatch(new RegExp(`^${name}\\s+key_[0-9a-f]{16}\\s+bk-\\S+\\s+active`, 'm'));
    expect(listed.stdout).toMatch(/^short-lived\s+\S+\s+\S+\s+revoked/m);

    const accounts = await runCli(['accounts', 'list', '--config', config], sandbox, { env: cliEnv() });
    expect(accounts.code).toBe(0);
    expect(accounts.stdout).toMatch(/^codex\s+shared\s+yes\s+active\s+\S.*dev@example\.com$/m);

    const usage = await runCli(['usage', '--by', 'key', '--since', '1h', '--config', config], sandbox, { env: cliEnv() });
    expect(usage.code).toBe(0);
    expect(usage.stdout).toMatch(/^usage-both \(key_[0-9a-f]{16}\)\s+\d+/m);

    const status = await runCli(['status', '--config', config], sandbox, { env: cliEnv() });
    expect(status.stdout).toContain(`store:  postgres://postgres@127.0.0.1:5432/test (schema ${schema})`);

    // Without the fleet's key the CLI is refused, saying why, and changes nothing.
    const refused = await runCli(['keys', 'list', '--config', config], sandbox, { env: { BYOKEY_SECRET_KEY: randomBytes(32).toString('base64') } });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^byokey: The secret key \(from BYOKEY_SECRET_KEY\) does not match the PostgreSQL store/m);
  }, 60_000);

  // A run of byokey processes, and waits sized for a loaded machine: more than jest's default 30 s.
  it('stores a `byokey login codex` in the schema, where both gateways use it, and `byokey logout` removes it for both', async () => {
    const config = sandbox.write('providers.yaml', providersYaml());
    const proc = startCli(['login', 'codex', '--no-browser', '--account', 'cli-login', '--config', config], sandbox, { env: cliEnv() });
    const authorize = new URL((await proc.waitFor(/(http:\/\/127\.0\.0\.1:\d+\/openai\/oauth\/authorize\?\S+)/))[1]);
    const approved = await request(authorize);
    await approved.body.dump();
    await (await request((approved.headers.location as string).replace('//localhost:', '//127.0.0.1:'))).body.dump();
    const result = await proc.exit();
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('account "cli-login"');

    // The token the login stored, read back as another gateway would.
    const store = await PostgresAccountStore.open({ url: TEST_DATABASE_URL, schema, home: sandbox.home, env: cliEnv() });
    const token = (await store.get('codex', 'cli-login'))!.tokens.accessToken;
    await store.close();

    expect((await admin(a, 'POST', '/admin/v1/accounts/codex/cli-login/default')).status).toBe(200);
    backend.acceptedTokens = [token];
    // Each uses the new default once its 2 s account cache runs out; 15 s is a loaded machine's room.
    for (const gateway of [a, b]) {
      await within(15_000, async () => {
        try {
          await client(gateway, clientSecret).chat.completions.create({ model: 'codex/gpt-5.1-codex', messages: USER });
          return backend.lastRequest.headers.authorization === `Bearer ${token}`;
        } catch (error) {
          if (error instanceof OpenAI.APIError && error.status !== 401) return false;
          throw error;
        }
      });
    }

    const logout = await runCli(['logout', 'codex', '--account', 'cli-login', '--config', config], sandbox, { env: cliEnv() });
    expect(logout.code).toBe(0);
    expect(logout.stdout).toContain('The default is now "shared"');
    expect((await admin(b, 'GET', '/admin/v1/accounts?provider=codex')).json.data.map((x: { account_id: string }) => x.account_id)).toEqual(['shared']);
  }, 60_000);

  it('refuses to start a gateway whose secret key is not the fleet’s, with a clear message', async () => {
    const config = parseGatewayConfig(providersYaml(), 'providers.yaml', process.env);
    process.env.BYOKEY_SECRET_KEY = randomBytes(32).toString('base64');
    try {
      const error = await createGateway(config, { logLevel: 'silent', home: sandbox.home }).then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).message).toMatch(/^The secret key \(from BYOKEY_SECRET_KEY\) does not match the PostgreSQL store .*Nothing was changed\.$/);
    } finally {
      process.env.BYOKEY_SECRET_KEY = SECRET_KEY;
    }
  });
});
