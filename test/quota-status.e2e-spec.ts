// `byokey status` shows the quota windows each account last reported on the default embedded
// store, with no Redis: through the built `byokey` executable, a Codex account (imported from a
// Codex CLI auth.json) and a Copilot login are served by the fakes (the Codex backend's x-codex-*
// headers, Copilot's premium quota from copilot_internal/user); the gateway stops on SIGTERM,
// having written the windows to its SQLite database, and `status` then shows them — as does a
// restarted gateway before any request. The same with `store:` on PostgreSQL (no redis: either).
// Needs `npm run build` and PostgreSQL at 127.0.0.1:5432 (test/support/postgres.ts).
import { mkdirSync } from 'node:fs';
import OpenAI from 'openai';
import { request } from 'undici';
import { SqliteAccountStore } from '../src/store/sqlite/sqlite-account-store';
import { FakeCodexBackend } from './fakes/codex-backend.fake';
import { FakeCopilot } from './fakes/copilot.fake';
import { CliSandbox, killAllCli, runCli, startCli } from './support/cli-process';
import { dropSchema, randomSchema, rawQuery, TEST_DATABASE_URL } from './support/postgres';

const ADMIN_KEY = 'admin-key-for-quota-status-0123456789';
const CODEX_ACCESS = 'codex-access-token-quota-status';
const GITHUB_TOKEN = 'gho_quota_status_alice';

const codex = new FakeCodexBackend();
const copilot = new FakeCopilot();
let sandbox: CliSandbox;

function jwt(payload: object): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none' })}.${part(payload)}.sig`;
}

beforeAll(async () => {
  await Promise.all([codex.start(), copilot.start()]);
  codex.acceptedTokens = [CODEX_ACCESS];
  copilot.githubTokens.add(GITHUB_TOKEN);
  codex.accountId = 'acc-quota-1';
  codex.rateLimits = { ...codex.rateLimits, primary: { usedPercent: 42, windowMinutes: 300, resetAfterSeconds: 7200 } };
});
afterAll(async () => {
  await Promise.all([codex.stop(), copilot.stop()]);
});
beforeEach(() => {
  sandbox = new CliSandbox();
});
afterEach(async () => {
  await killAllCli();
  sandbox.remove();
});

type AdminAccount = { provider: string; account_id: string; quota?: { windows: Array<Record<string, unknown>> } };

async function adminAccounts(url: string): Promise<AdminAccount[]> {
  const answer = await request(`${url}/admin/v1/accounts`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
  expect(answer.statusCode).toBe(200);
  return ((await answer.body.json()) as { data: AdminAccount[] }).data;
}

// Each test runs several byokey processes one after another, whose waits (up to 15 s each) add up
// past jest's default 30 s on a loaded machine.
describe('byokey status without redis:', () => {
  it("shows each account's last windows after the gateway stopped, and a restarted gateway knows them", async () => {
    const config = sandbox.write(
      'providers.yaml',
      [
        'admin:',
        `  key: ${ADMIN_KEY}`,
        'providers:',
        '  codex:',
        `    base_url: ${codex.httpUrl}`,
        '    transport: http',
        '  copilot:',
        `    github_api_url: ${copilot.githubApiUrl}`,
        '',
      ].join('\n'),
    );
    const auth = sandbox.write(
      'auth.json',
      JSON.stringify({
        auth_mode: 'chatgpt',
        OPENAI_API_KEY: null,
        tokens: { id_token: jwt({ email: 'dev@example.com' }), access_token: CODEX_ACCESS, refresh_token: 'rt_quota', account_id: 'acc-quota-1' },
        last_refresh: new Date().toISOString(),
      }),
    );
    expect((await runCli(['accounts', 'import', 'codex', '--file', auth, '--config', config], sandbox)).code).toBe(0);
    // A Copilot login as `byokey login copilot --account alice` stores it (a GitHub token, no expiry).
    mkdirSync(sandbox.home, { recursive: true });
    const accounts = SqliteAccountStore.open({ home: sandbox.home });
    await accounts.save({ provider: 'copilot', accountId: 'alice', tokens: { accessToken: GITHUB_TOKEN } });
    await accounts.close();

    // Before any request: no windows stored, and status says so per account.
    const before = await runCli(['status', '--config', config], sandbox);
    expect(before.code).toBe(0);
    expect(before.stdout).toMatch(/^codex\s+codex-cli\s+yes\s+active\s+.*\s+none reported$/m);
    expect(before.stdout).not.toContain('Quota windows:');

    const serve = startCli(['serve', '--port', '0', '--config', config], sandbox);
    const { url } = await serve.listening(15_000);
    const openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const codexAnswer = await openai.chat.completions.create({ model: 'gpt-5.1-codex', messages: [{ role: 'user', content: 'hi codex' }] });
    expect(codexAnswer.choices[0].message.content).toBe('You said: hi codex');
    await openai.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi copilot' }] });
    // Copilot's quota is read in the background of the account's first request: wait for it.
    for (const deadline = Date.now() + 15_000; !(await adminAccounts(url)).every((a) => a.quota) && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    // Stopped well before the 5 s flush: the windows are written at shutdown.
    serve.signal('SIGTERM');
    const stopped = await serve.exit(15_000);
    expect(stopped.code).toBe(0);

    const status = await runCli(['status', '--config', config], sandbox);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^PROVIDER\s+ACCOUNT\s+DEFAULT\s+STATUS\s+EXPIRES\s+QUOTA$/m);
    expect(status.stdout).toMatch(/^codex\s+codex-cli\s+yes\s+active\s+.*\s+primary 42% \(5 h, resets in 2 h\), secondary 40% \(7 d, resets in \d+ days\)$/m);
    expect(status.stdout).toMatch(/^copilot\s+alice\s+yes\s+active\s+.*\s+premium 20% \(resets [^)]+\)$/m);
    expect(status.stdout).not.toContain('Quota windows:');

    // A restarted gateway starts with them, before any request.
    const again = startCli(['serve', '--port', '0', '--config', config], sandbox);
    const restarted = await again.listening(15_000);
    const known = await adminAccounts(restarted.url);
    expect(known.find((a) => a.provider === 'codex')?.quota?.windows).toContainEqual(expect.objectContaining({ window: 'primary', used_percent: 42 }));
    expect(known.find((a) => a.provider === 'copilot')?.quota?.windows).toEqual([expect.objectContaining({ window: 'premium', used_percent: 20 })]);
    again.signal('SIGTERM');
    expect((await again.exit(15_000)).code).toBe(0);

    // A removed account's windows are not shown (nor read back) for a new login under its name.
    expect((await runCli(['accounts', 'remove', 'copilot', 'alice', '--config', config], sandbox)).code).toBe(0);
    const relogin = SqliteAccountStore.open({ home: sandbox.home });
    await relogin.save({ provider: 'copilot', accountId: 'alice', tokens: { accessToken: GITHUB_TOKEN } });
    await relogin.close();
    expect((await runCli(['status', '--config', config], sandbox)).stdout).toMatch(/^copilot\s+alice\s+.*\s+none reported$/m);
  }, 90_000);

  it('keeps them in PostgreSQL when store: points there', async () => {
    const schema = randomSchema('byokey_quota');
    try {
      const config = sandbox.write(
        'providers.yaml',
        `store:\n  url: ${TEST_DATABASE_URL}\n  schema: ${schema}\nproviders:\n  codex:\n    base_url: ${codex.httpUrl}\n    transport: http\n`,
      );
      const auth = sandbox.write(
        'auth.json',
        JSON.stringify({
          auth_mode: 'chatgpt',
          OPENAI_API_KEY: null,
          tokens: { id_token: jwt({ email: 'dev@example.com' }), access_token: CODEX_ACCESS, refresh_token: 'rt_quota', account_id: 'acc-quota-1' },
          last_refresh: new Date().toISOString(),
        }),
      );
      expect((await runCli(['accounts', 'import', 'codex', '--file', auth, '--config', config], sandbox)).code).toBe(0);
      const serve = startCli(['serve', '--port', '0', '--config', config], sandbox);
      const { url } = await serve.listening(15_000);
      const openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 });
      const asked = Date.now();
      await openai.chat.completions.create({ model: 'gpt-5.1-codex', messages: [{ role: 'user', content: 'hi codex' }] });
      // While it runs, the gateway writes the changed windows 5 s after the first of them
      // (SNAPSHOT_FLUSH_INTERVAL_MS), not per request: none yet, and none for seconds (a timer
      // never fires early, so the 4 s below holds on any machine). Waited for up to 20 s, a loaded
      // machine's room; a gateway that wrote only at shutdown would never write them here.
      const stored = () => rawQuery<{ provider: string; account_id: string }>(schema, 'SELECT provider, account_id FROM quota_snapshots');
      expect(await stored()).toEqual([]);
      let rows = await stored();
      while (rows.length === 0 && Date.now() - asked < 20_000) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        rows = await stored();
      }
      expect(rows).toEqual([{ provider: 'codex', account_id: 'codex-cli' }]);
      expect(Date.now() - asked).toBeGreaterThanOrEqual(4000);
      serve.signal('SIGTERM');
      expect((await serve.exit(15_000)).code).toBe(0);
      const status = await runCli(['status', '--config', config], sandbox);
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(/^codex\s+codex-cli\s+yes\s+active\s+.*\s+primary 42% \(5 h, resets in 2 h\), secondary 40% \(7 d, resets in \d+ days\)$/m);
    } finally {
      await dropSchema(schema);
    }
  }, 90_000);
});
