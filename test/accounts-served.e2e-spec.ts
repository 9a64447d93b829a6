// Issue 17: a logged-in account is served at once, and an instance that cannot serve says so —
// through the `byokey` executable as a new user runs it, with the repository's default
// providers.yaml and OPENAI_API_KEY unset:
// - a provider with an account and no instance of its plugin gets an implicit one, at start and
//   when the account appears while the gateway runs (a `byokey login` in another terminal);
//   Qwen here, whose account names its API host, so the round trip reaches the fake upstream;
// - an instance with no usable credential (an empty ${ENV} key, no account) is a warning at start,
//   lists no models, and answers 503 `no_credentials` with the command that fixes it;
// - `accounts import` says which instance serves the account, or the lines to add;
// - `status` checks the file as `serve` does and tells per instance whether it serves and why not.
import Anthropic from '@anthropic-ai/sdk';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { request } from 'undici';
import { RateLimitSnapshots } from '../src/store/rate-limit-snapshots';
import { RedisQuotaSnapshotChannel } from '../src/store/shared/redis-quota-snapshot-channel';
import { SharedRedis } from '../src/store/shared/shared-redis';
import { SqliteAccountStore } from '../src/store/sqlite/sqlite-account-store';
import { FakeOpenAIUpstream } from './fakes/openai-upstream.fake';
import { CliSandbox, killAllCli, runCli, startCli, type CliProcess } from './support/cli-process';
import { deleteRedisPrefix, REDIS_URL, uniqueName } from './support/shared-services';

const DEFAULT_PROVIDERS_YAML = readFileSync(join(__dirname, '..', 'providers.yaml'), 'utf8');
/** OPENAI_API_KEY unset (empty), as on a fresh machine. */
const NO_OPENAI_KEY = { env: { OPENAI_API_KEY: '' } };
const MESSAGES = [{ role: 'user' as const, content: 'hi qwen' }];

let sandbox: CliSandbox;
const upstream = new FakeOpenAIUpstream();

beforeAll(async () => {
  await upstream.start();
});
afterAll(async () => {
  await upstream.stop();
});
beforeEach(() => {
  sandbox = new CliSandbox();
});
afterEach(async () => {
  await killAllCli();
  sandbox.remove();
});

/** A Qwen login as `byokey login qwen` stores it; its resource_url sends requests to the fake. */
async function loginQwen(): Promise<void> {
  mkdirSync(sandbox.home, { recursive: true });
  const store = SqliteAccountStore.open({ home: sandbox.home });
  try {
    await store.save({
      provider: 'qwen',
      accountId: 'default',
      tokens: { accessToken: 'qwen-access-token', refreshToken: 'qwen-refresh' },
      expiresAt: Date.now() + 3_600_000,
      claims: { resource_url: upstream.url },
    });
  } finally {
    await store.close();
  }
}

async function serve(yaml: string): Promise<{ proc: CliProcess; openai: OpenAI; anthropic: Anthropic; instances: unknown }> {
  const config = sandbox.write('providers.yaml', yaml);
  const proc = startCli(['serve', '--port', '0', '--config', config], sandbox, NO_OPENAI_KEY);
  const { url, line } = await proc.listening();
  return {
    proc,
    openai: new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused' }),
    anthropic: new Anthropic({ baseURL: url, apiKey: 'unused' }),
    instances: line.instances,
  };
}

function warnings(proc: CliProcess): string[] {
  return proc.logLines().filter((l) => l.level === 40).map((l) => l.msg);
}

describe('byokey serve with the default providers.yaml', () => {
  it('warns about the OpenAI instance with no key, lists none of its models and answers 503 no_credentials, then serves a qwen login made while it runs', async () => {
    const { proc, openai, anthropic, instances } = await serve(DEFAULT_PROVIDERS_YAML);
    expect(instances).toEqual(['openai']);
    expect(warnings(proc)).toContain(
      'providers.openai: its api_key is empty (OPENAI_API_KEY is unset or empty): export OPENAI_API_KEY=... and restart (or reload) byokey, or remove api_key from providers.openai if the upstream needs no key (its models are not listed; requests for them answer 503)',
    );

    // Nothing can be served, so nothing is listed, in either dialect; nor found by id.
    expect((await openai.models.list()).data).toEqual([]);
    expect((await anthropic.models.list()).data).toEqual([]);
    expect(await openai.models.retrieve('gpt-4.1').catch((e) => e)).toBeInstanceOf(OpenAI.NotFoundError);

    // A request answers 503 with the fix, not a 401 the SDK would call a bad API key; not retried.
    const failed = await openai.chat.completions.create({ model: 'gpt-4.1', messages: MESSAGES }).catch((e) => e);
    expect(failed).toBeInstanceOf(OpenAI.InternalServerError);
    expect(failed.status).toBe(503);
    expect(failed.code).toBe('no_credentials');
    expect(failed.message).toContain('Provider instance `openai` has no usable credential: its api_key is empty (OPENAI_API_KEY is unset or empty): export OPENAI_API_KEY=...');
    expect(failed.headers.get('x-should-retry')).toBe('false');

    // Before any login a qwen model is served by nothing.
    expect(await openai.chat.completions.create({ model: 'qwen3-coder-plus', messages: MESSAGES }).catch((e) => e)).toBeInstanceOf(OpenAI.NotFoundError);

    // A login in another terminal: served within seconds, without a restart.
    await loginQwen();
    await proc.waitFor(/serving the qwen account \(implicit instance: providers\.yaml has none of type qwen\)/, 12_000);
    const answer = await openai.chat.completions.create({ model: 'qwen3-coder-plus', messages: MESSAGES });
    expect(answer.choices[0].message.content).toBe('You said: hi qwen');
    expect(upstream.lastRequest.headers.authorization).toBe('Bearer qwen-access-token');
    const listed = (await openai.models.list()).data;
    expect(listed.map((m) => m.owned_by)).toEqual(listed.map(() => 'qwen'));
    expect(listed.map((m) => m.id)).toContain('qwen3-coder-plus');
    expect((await anthropic.models.list()).data.map((m) => m.id)).toEqual(listed.map((m) => m.id));
  });

  it('serves an existing login from the start, unless providers.yaml turns its provider off', async () => {
    await loginQwen();
    const started = await serve(DEFAULT_PROVIDERS_YAML);
    expect(started.instances).toEqual(['openai', 'qwen']);
    const answer = await started.openai.chat.completions.create({ model: 'qwen3-coder-plus', messages: MESSAGES });
    expect(answer.choices[0].message.content).toBe('You said: hi qwen');
    started.proc.signal('SIGTERM');
    await started.proc.exit();

    const off = await serve(`${DEFAULT_PROVIDERS_YAML}\n  qwen:\n    enabled: false\n`);
    expect(off.instances).toEqual(['openai']);
    const refused = await off.openai.chat.completions.create({ model: 'qwen3-coder-plus', messages: MESSAGES }).catch((e) => e);
    expect(refused).toBeInstanceOf(OpenAI.NotFoundError);
    expect(refused.message).toContain('provider instance `qwen`, which is disabled');
  });

  it('serves an account imported over the admin API at once (an implicit instance, no poll to wait for)', async () => {
    const { proc } = await serve(`${DEFAULT_PROVIDERS_YAML}\nadmin:\n  key: admin-key-for-the-test\n`);
    const { url } = await proc.listening();
    const admin = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
      const headers: Record<string, string> = { authorization: 'Bearer admin-key-for-the-test', ...(body ? { 'content-type': 'application/json' } : {}) };
      const answer = await request(`${url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: answer.statusCode, body: (await answer.body.json()) as any };
    };
    expect((await admin('GET', '/admin/v1/providers')).body.data.map((p: { name: string }) => p.name)).toEqual(['openai']);
    const imported = await admin('POST', '/admin/v1/accounts/codex/import', {
      OPENAI_API_KEY: null,
      tokens: { access_token: 'codex-access', refresh_token: 'codex-refresh', account_id: 'acc-1' },
      last_refresh: '2026-11-20T12:00:00Z',
    });
    expect(imported.status).toBe(201);
    const providers = (await admin('GET', '/admin/v1/providers')).body.data as Array<{ name: string; plugin: string; credentials: Array<{ account_id?: string }> }>;
    expect(providers.map((p) => [p.name, p.plugin])).toEqual([['openai', 'openai-compatible'], ['codex', 'codex']]);
    expect(providers[1].credentials.map((c) => c.account_id)).toEqual(['codex-cli']);
  });

  it('answers 503 with `byokey login` for a subscription instance with no account, in both dialects', async () => {
    const { proc, openai, anthropic } = await serve('providers:\n  qwen: {}\n');
    expect(warnings(proc)).toContain('providers.qwen: no account for qwen: run `byokey login qwen` (its models are not listed; requests for them answer 503)');
    expect((await openai.models.list()).data).toEqual([]);
    const chat = await openai.chat.completions.create({ model: 'qwen3-coder-plus', messages: MESSAGES }).catch((e) => e);
    expect(chat).toMatchObject({ status: 503, code: 'no_credentials' });
    expect(chat.message).toContain('Provider instance `qwen` has no usable credential: no account for qwen: run `byokey login qwen`.');
    const messages = await anthropic.messages.create({ model: 'qwen3-coder-plus', max_tokens: 10, messages: MESSAGES }).catch((e) => e);
    expect(messages).toBeInstanceOf(Anthropic.InternalServerError);
    expect(messages.status).toBe(503);
    expect(messages.message).toContain('no account for qwen: run `byokey login qwen`');
  });
});

describe('byokey accounts import and status', () => {
  function fakeJwt(payload: object): string {
    const part = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
    return `${part({ alg: 'none' })}.${part(payload)}.sig`;
  }
  const exp = Math.floor(Date.now() / 1000) + 8 * 86_400;
  const codexAuth = {
    auth_mode: 'chatgpt',
    OPENAI_API_KEY: null,
    tokens: {
      id_token: fakeJwt({ email: 'dev@example.com', 'https://api.openai.com/auth': { chatgpt_account_id: 'acc-1', chatgpt_plan_type: 'plus' } }),
      access_token: fakeJwt({ exp, 'https://api.openai.com/auth': { chatgpt_account_id: 'acc-1' } }),
      refresh_token: 'rt_secret',
      account_id: 'acc-1',
    },
    last_refresh: '2026-11-20T12:00:00.000Z',
  };

  it('says which instance serves an imported Codex account, and status shows it serving beside the keyless OpenAI instance', async () => {
    const config = sandbox.write('providers.yaml', DEFAULT_PROVIDERS_YAML);
    const imported = await runCli(['accounts', 'import', 'codex', '--file', sandbox.write('auth.json', JSON.stringify(codexAuth)), '--config', config], sandbox);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain(`Provider instance codex (implicit: ${config} has no codex instance) serves it: a running \`byokey serve\` picks it up within seconds.`);

    const status = await runCli(['status', '--config', config], sandbox, NO_OPENAI_KEY);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^INSTANCE\s+TYPE\s+SERVES\s+MODELS\s+CREDENTIAL, OR WHY NOT$/m);
    expect(status.stdout).toMatch(/^openai\s+openai-compatible\s+no\s+4 listed\s+its api_key is empty \(OPENAI_API_KEY is unset or empty\): export OPENAI_API_KEY=\.\.\. and restart/m);
    expect(status.stdout).toMatch(/^codex\s+codex \(implicit\)\s+yes\s+catalog\s+account "codex-cli"$/m);
  });

  it('gives the lines to add when providers.yaml turns the provider off, and status says disabled, or which login is missing', async () => {
    const config = sandbox.write('providers.yaml', 'providers:\n  codex:\n    enabled: false\n  gemini: {}\n  qwen: {}\n');
    const imported = await runCli(['accounts', 'import', 'codex', '--file', sandbox.write('auth.json', JSON.stringify(codexAuth)), '--config', config], sandbox);
    expect(imported.stdout).toContain(`Provider instance codex is disabled in ${config}, so nothing serves it. To serve it, set there:\n  providers:\n    codex:\n      enabled: true\n`);

    const status = await runCli(['status', '--config', config], sandbox);
    expect(status.stdout).toMatch(/^codex\s+codex\s+no\s+catalog\s+disabled \(enabled: false\)$/m);
    expect(status.stdout).toMatch(/^gemini\s+gemini\s+no\s+\S+\s+no account for gemini: run `byokey login gemini`$/m);
    expect(status.stdout).toMatch(/^qwen\s+qwen\s+no\s+catalog\s+no account for qwen: run `byokey login qwen`$/m);
  });

  it('rejects a setting the plugin does not take, as serve does', async () => {
    const config = sandbox.write('providers.yaml', 'providers:\n  codex:\n    transprt: websocket\n');
    const status = await runCli(['status', '--config', config], sandbox);
    expect(status.code).toBe(1);
    expect(status.stderr).toContain(`${config}:3:5: providers.codex.transprt: unknown key; did you mean "transport"?`);
    const serve = await runCli(['serve', '--port', '0', '--config', config], sandbox);
    expect(serve.code).toBe(1);
  });

  it('shows the quota windows each account last reported, read from Redis (the gateway shares them there)', async () => {
    const prefix = `${uniqueName('quota')}:`;
    const config = sandbox.write('providers.yaml', `redis:\n  url: ${REDIS_URL}\n  key_prefix: "${prefix}"\nproviders: {}\n`);
    try {
      await runCli(['accounts', 'import', 'codex', '--file', sandbox.write('auth.json', JSON.stringify(codexAuth)), '--config', config], sandbox);
      // What a gateway records from a Codex answer's x-codex-* headers.
      const redis = new SharedRedis({ url: REDIS_URL, keyPrefix: prefix, limitsOnOutage: 'open' });
      const channel = new RedisQuotaSnapshotChannel(redis);
      const snapshots = new RateLimitSnapshots(channel);
      await redis.ready(2000);
      await snapshots.onModuleInit();
      snapshots.record('codex', 'codex-cli', {
        headers: {
          'x-codex-primary-used-percent': '42',
          'x-codex-primary-window-minutes': '300',
          'x-codex-primary-reset-after-seconds': '7200',
          'x-codex-secondary-used-percent': '10',
          'x-codex-secondary-window-minutes': '10080',
        },
      });
      // The channel writes it in the background: wait until it is in Redis (under the `quota:` map's
      // keys), not a fixed time, before closing the connection it goes by.
      for (const deadline = Date.now() + 5000; (await redis.client.keys(`${prefix}quota:*`)).length === 0; ) {
        if (Date.now() > deadline) throw new Error('the quota snapshot never reached Redis');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await channel.onApplicationShutdown();
      await redis.close();

      const status = await runCli(['status', '--config', config], sandbox);
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(/^PROVIDER\s+ACCOUNT\s+DEFAULT\s+STATUS\s+EXPIRES\s+QUOTA$/m);
      expect(status.stdout).toMatch(/^codex\s+codex-cli\s+yes\s+active\s+in 8 days\s+primary 42% \(5 h, resets in 2 h\), secondary 10% \(7 d\)$/m);
    } finally {
      await deleteRedisPrefix(prefix);
    }
    // Without redis: status reads the store, where no gateway has written windows for this account
    // (test/quota-status.e2e-spec.ts has one that did).
    const plain = await runCli(['status', '--config', sandbox.write('plain.yaml', 'providers: {}\n')], sandbox);
    expect(plain.stdout).toMatch(/^codex\s+codex-cli\s+yes\s+active\s+in 8 days\s+none reported$/m);
    expect(plain.stdout).not.toContain('Quota windows:');
  });
});
