// Rotating the secret key as an operator does it, with the built `byokey` executable, on the
// embedded SQLite database and on a shared PostgreSQL schema: a store written with key A (Claude
// logins imported, an upstream key added at runtime over the admin API); the new key B alone is
// refused; B with A as the previous key reads everything (CLI and a serving gateway, through the
// official SDKs against fakes that check the credentials); an instance still on A loses only what
// a rolled one rewrote; `byokey rekey` re-seals, and a second run re-seals nothing; then B alone
// reads everything and A alone is refused at open.
// Needs `npm run build` first (dist/ is what runs) and PostgreSQL at 127.0.0.1:5432 (test/support/postgres.ts).
import { randomBytes } from 'node:crypto';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { request } from 'undici';
import { FakeAnthropicUpstream } from './fakes/anthropic-upstream.fake';
import { FakeOpenAIUpstream } from './fakes/openai-upstream.fake';
import { CliSandbox, killAllCli, runCli, startCli, type CliProcess, type CliResult } from './support/cli-process';
import { dropSchema, randomSchema, TEST_DATABASE_URL } from './support/postgres';

const KEY_A = randomBytes(32).toString('base64');
const KEY_B = randomBytes(32).toString('hex');
const ADMIN_KEY = 'admin-key-rekey-e2e-0123456789';
const RUNTIME_KEY = 'sk-runtime-upstream-key-rekey-e2e';
const WORK_TOKEN = 'sk-ant-oat01-rekey-work-token';
const HOME_TOKEN = 'sk-ant-oat01-rekey-home-token';
const HOME_TOKEN_2 = 'sk-ant-oat01-rekey-home-token-2';
const SONNET = 'claude-sonnet-5-5';

/** The keys an instance runs with. */
const A = { BYOKEY_SECRET_KEY: KEY_A };
const B = { BYOKEY_SECRET_KEY: KEY_B };
const B_AFTER_A = { BYOKEY_SECRET_KEY: KEY_B, BYOKEY_SECRET_KEY_PREVIOUS: KEY_A };

const anthropicUpstream = new FakeAnthropicUpstream();
const openaiUpstream = new FakeOpenAIUpstream();

beforeAll(async () => {
  await Promise.all([anthropicUpstream.start(), openaiUpstream.start()]);
  // A request passes only when the gateway decrypted the right credential.
  anthropicUpstream.oauthTokens = [WORK_TOKEN, HOME_TOKEN, HOME_TOKEN_2];
  openaiUpstream.apiKey = RUNTIME_KEY;
});

afterAll(async () => {
  await killAllCli();
  await Promise.all([anthropicUpstream.stop(), openaiUpstream.stop()]);
});

describe.each([
  ['the SQLite database', 'sqlite', /^byokey: The secret key \(from BYOKEY_SECRET_KEY\) does not match the database .*byokey\.db: /m],
  ['a PostgreSQL schema', 'postgres', /^byokey: The secret key \(from BYOKEY_SECRET_KEY\) does not match the PostgreSQL store /m],
] as const)('rotating the secret key of %s', (_, backend, refusedAtOpen) => {
  const schema = randomSchema('byokey_rekey');
  let sandbox: CliSandbox;

  beforeAll(() => {
    sandbox = new CliSandbox();
    const store = backend === 'postgres' ? ['store:', `  url: ${TEST_DATABASE_URL}`, `  schema: ${schema}`] : [];
    // In the working directory: every command below finds it as ./providers.yaml, as an operator's would.
    sandbox.write(
      'providers.yaml',
      [
        'admin:',
        `  key: ${ADMIN_KEY}`,
        ...store,
        'providers:',
        '  claude:',
        `    base_url: ${anthropicUpstream.url}`,
        '  local:',
        '    type: openai-compatible',
        `    base_url: ${openaiUpstream.url}`,
        '    models: [alpha-1]',
        '',
      ].join('\n'),
      true,
    );
  });

  afterAll(async () => {
    await killAllCli();
    sandbox.remove();
    if (backend === 'postgres') await dropSchema(schema);
  });

  function byokey(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
    return runCli(args, sandbox, { env }, 15_000);
  }

  async function importClaude(account: string, accessToken: string, env: NodeJS.ProcessEnv): Promise<void> {
    const file = sandbox.write(
      `claude-${account}.json`,
      JSON.stringify({ claudeAiOauth: { accessToken, refreshToken: `rt-${accessToken}`, expiresAt: Date.now() + 86_400_000 } }),
    );
    const result = await byokey(['accounts', 'import', 'claude', '--file', file, '--account', account], env);
    expect(result).toMatchObject({ code: 0, stderr: '' });
  }

  async function serve(env: NodeJS.ProcessEnv): Promise<{ proc: CliProcess; url: string }> {
    const proc = startCli(['serve', '--port', '0'], sandbox, { env });
    const { url } = await proc.listening(15_000);
    return { proc, url };
  }

  async function stop(proc: CliProcess): Promise<CliResult> {
    proc.signal('SIGTERM');
    const result = await proc.exit(10_000);
    expect(result.code).toBe(0);
    return result;
  }

  /** A Messages call on the Claude subscription: which login's token reached the upstream. */
  async function claudeTokenUsed(url: string): Promise<string | undefined> {
    const anthropic = new Anthropic({ baseURL: url, apiKey: 'client', maxRetries: 0 });
    const message = await anthropic.messages.create({ model: SONNET, max_tokens: 32, messages: [{ role: 'user', content: 'hello' }] });
    expect(message.content[0]).toMatchObject({ type: 'text', text: 'You said: hello' });
    return anthropicUpstream.lastRequest.auth?.token;
  }

  /** A chat completion on the instance whose only key was added at runtime. */
  async function chatWithRuntimeKey(url: string): Promise<void> {
    const openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'client', maxRetries: 0 });
    const completion = await openai.chat.completions.create({ model: 'alpha-1', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0].message.content).toBe('You said: hi');
    expect(openaiUpstream.lastRequest.headers.authorization).toBe(`Bearer ${RUNTIME_KEY}`);
  }

  function listed(result: CliResult): string[] {
    return [...result.stdout.matchAll(/^claude\s+(\S+)\s/gm)].map((match) => match[1]);
  }

  it('starts from a store written with key A: two Claude logins and an upstream key added at runtime', async () => {
    await importClaude('work', WORK_TOKEN, A);
    await importClaude('home', HOME_TOKEN, A);
    const { proc, url } = await serve(A);
    const added = await request(`${url}/admin/v1/providers/local/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ key: RUNTIME_KEY, label: 'team' }),
    });
    expect(added.statusCode).toBe(201);
    await added.body.dump();
    await chatWithRuntimeKey(url);
    expect(await claudeTokenUsed(url)).toBe(WORK_TOKEN);
    await stop(proc);
  });

  it('refuses key B alone at open, and reads everything with B and A as the previous key', async () => {
    const refused = await byokey(['accounts', 'list'], B);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(refusedAtOpen);
    expect(refused.stderr).toContain('BYOKEY_SECRET_KEY_PREVIOUS');

    const list = await byokey(['accounts', 'list'], B_AFTER_A);
    expect(list).toMatchObject({ code: 0, stderr: '' });
    expect(listed(list)).toEqual(['work', 'home']);
    const status = await byokey(['status'], B_AFTER_A);
    expect(status.stdout).toMatch(/^key: +BYOKEY_SECRET_KEY, and the previous key from BYOKEY_SECRET_KEY_PREVIOUS \(a rotation is under way/m);

    const { proc, url } = await serve(B_AFTER_A);
    expect(await claudeTokenUsed(url)).toBe(WORK_TOKEN);
    await chatWithRuntimeKey(url);
    const result = await stop(proc);
    expect(result.stdout).not.toMatch(/Cannot decrypt/);
  });

  it('mid-roll, an instance still on key A loses only the login a rolled instance rewrote, and says so', async () => {
    // A new login on a rolled instance: sealed with key B.
    await importClaude('home', HOME_TOKEN_2, B_AFTER_A);

    const list = await byokey(['accounts', 'list'], A);
    expect(list.code).toBe(0);
    expect(listed(list)).toEqual(['work']);
    expect(list.stderr).toMatch(/^byokey: warning: Cannot decrypt the tokens of account claude\/home: the secret key does not match .*during a key rotation.* It is left out\.$/m);
    expect(list.stderr).not.toContain(HOME_TOKEN_2);

    // A gateway still on key A serves from the login it can read, and logs the one it cannot.
    const { proc, url } = await serve(A);
    expect(await claudeTokenUsed(url)).toBe(WORK_TOKEN);
    await chatWithRuntimeKey(url);
    const result = await stop(proc);
    expect(result.stdout).toContain('Cannot decrypt the tokens of account claude/home');
    expect(result.stdout).not.toContain('unhandled_rejection');
  });

  it('byokey rekey needs the previous key, re-seals what key A sealed, and re-seals nothing the second time', async () => {
    const alone = await byokey(['rekey'], B);
    expect(alone.code).toBe(1);
    expect(alone.stderr).toMatch(/^byokey rekey: no previous key is configured \(BYOKEY_SECRET_KEY_PREVIOUS is not set and .*secret\.key\.previous does not exist\), so there is nothing to rotate from\./);

    const first = await byokey(['rekey'], B_AFTER_A);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    // work, the runtime key and the key check were A's; home is B's since its new login.
    expect(first.stdout).toMatch(
      /^Re-sealed 3 values in .* with the secret key from BYOKEY_SECRET_KEY \(1 account, 1 runtime upstream key, the key check\); 1 already sealed with it\.$/m,
    );

    const second = await byokey(['rekey'], B_AFTER_A);
    expect(second).toMatchObject({ code: 0, stderr: '' });
    expect(second.stdout).toMatch(/^Re-sealed 0 values: all 4 sealed values in .* were already sealed with the secret key from BYOKEY_SECRET_KEY\. Nothing changed\.$/m);
  });

  it('then key B alone reads everything, and key A alone is refused at open', async () => {
    const list = await byokey(['accounts', 'list'], B);
    expect(list).toMatchObject({ code: 0, stderr: '' });
    expect(listed(list)).toEqual(['work', 'home']);
    const status = await byokey(['status'], B);
    expect(status).toMatchObject({ code: 0, stderr: '' });
    expect(status.stdout).toMatch(/^key: +BYOKEY_SECRET_KEY$/m);

    const { proc, url } = await serve(B);
    expect(await claudeTokenUsed(url)).toBe(WORK_TOKEN);
    await chatWithRuntimeKey(url);
    const result = await stop(proc);
    expect(result.stdout).not.toMatch(/Cannot decrypt/);

    for (const args of [['accounts', 'list'], ['status']]) {
      const refused = await byokey(args, A);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(refusedAtOpen);
    }
  });
});
