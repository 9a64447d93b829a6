// A refresh lease does not outlive its holder, with real processes: a `byokey serve` child takes
// the lease of a Qwen account in a real SQLite file and is killed with SIGKILL in the middle of the
// refresh (the fake token server is holding its answer). A gateway started on the same home then
// takes the dead child's lease over at once instead of waiting for it to run out, and while the
// child is alive and busy, a token that still works is used without waiting at all.
// Needs dist/ (`npm run build`): the child is the built executable.
import { mkdirSync } from 'node:fs';
import OpenAI from 'openai';
import { request } from 'undici';
import { MetricsRegistry } from '../src/metrics/metrics-registry';
import type { Account } from '../src/store/account';
import { SqliteAccountStore } from '../src/store/sqlite/sqlite-account-store';
import { FakeOAuthServer } from './fakes/oauth-server.fake';
import { FakeOpenAIUpstream } from './fakes/openai-upstream.fake';
import { CliSandbox, killAllCli, startCli, type CliProcess } from './support/cli-process';
import { startGateway, type RunningGateway } from './support/gateway';

const MODEL = 'qwen3-coder-plus';
const MESSAGES = [{ role: 'user' as const, content: 'hi qwen' }];
/** How long the fake token server sits on a refresh: the child is killed well inside it. */
const HELD_REFRESH_MS = 5000;

const oauth = new FakeOAuthServer();
const upstream = new FakeOpenAIUpstream();
let sandbox: CliSandbox;
let store: SqliteAccountStore | undefined;
let gateway: RunningGateway | undefined;

beforeAll(async () => {
  await oauth.start();
  await upstream.start();
});
afterAll(async () => {
  await oauth.stop();
  await upstream.stop();
});
beforeEach(() => {
  sandbox = new CliSandbox();
  mkdirSync(sandbox.home, { mode: 0o700 });
});
afterEach(async () => {
  await killAllCli();
  await gateway?.close();
  gateway = undefined;
  await store?.close();
  store = undefined;
  oauth.tokenLatencyMs = 0;
  sandbox.remove();
});

const providersYaml = () => `
providers:
  qwen:
    base_url: ${upstream.url}
    oauth:
      token_url: ${oauth.urls.qwen.token}
`;

/** The test's own view of the database the child and the gateway share. */
function openStore(): SqliteAccountStore {
  store ??= SqliteAccountStore.open({ home: sandbox.home });
  return store;
}

/** A Qwen login whose access token expires `inMs` from now, with a live refresh token. */
async function seedAccount(inMs: number, accessToken: string): Promise<Account> {
  return openStore().save({
    provider: 'qwen',
    accountId: 'default',
    tokens: { accessToken, refreshToken: oauth.seedRefreshToken('qwen') },
    expiresAt: Date.now() + inMs,
    claims: { resource_url: 'portal.qwen.ai' },
  });
}

/**
 * Starts `byokey serve` on the shared home and sends it a request, which makes it refresh the
 * account; returns once the child holds the refresh lease (its token request is then held by the
 * fake token server).
 */
async function childMidRefresh(): Promise<CliProcess> {
  oauth.tokenLatencyMs = HELD_REFRESH_MS;
  const config = sandbox.write('providers.yaml', providersYaml());
  const child = startCli(['serve', '--config', config, '--port', '0'], sandbox);
  const { url } = await child.listening();
  const refreshesBefore = refreshes();
  const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'client-key', maxRetries: 0 });
  // Never answered: the child dies first (or the test ends).
  void client.chat.completions.create({ model: MODEL, messages: MESSAGES }).catch(() => undefined);
  const deadline = Date.now() + 8000;
  for (;;) {
    const lease = await openStore().getRefreshLease('qwen', 'default');
    if (lease?.holder.includes(`:${child.pid}:`) && refreshes() > refreshesBefore) return child;
    if (Date.now() > deadline) throw new Error(`the child never took the refresh lease (lease: ${JSON.stringify(lease)})\n${child.describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A gateway in this process on the same home, warmed up by a request that needs no account. */
async function startParent(): Promise<RunningGateway> {
  gateway = await startGateway(providersYaml(), { home: sandbox.home });
  const models = await request(`${gateway.url}/v1/models`);
  expect(models.statusCode).toBe(200);
  await models.body.dump();
  return gateway;
}

/** One chat completion through the gateway: its answer, when it came (ms since epoch), the token the upstream saw. */
async function timedCompletion(gw: RunningGateway): Promise<{ at: number; text: string | null; authorization: string | undefined }> {
  const seen = upstream.requests.length;
  const completion = await gw.openai.chat.completions.create({ model: MODEL, messages: MESSAGES });
  const at = Date.now();
  expect(upstream.requests.length).toBe(seen + 1);
  return { at, text: completion.choices[0].message.content, authorization: upstream.lastRequest.headers.authorization };
}

const refreshes = () => oauth.tokenCallCount('refresh_token', 'qwen');

describe('a refresh lease whose holder was killed', () => {
  it('is taken over at once: an expired token is refreshed by the next gateway while the dead child\'s lease still stands', async () => {
    const seeded = await seedAccount(-60_000, 'qwen-access-expired');
    const child = await childMidRefresh();
    await child.kill();
    expect((await child.exited).signal).toBe('SIGKILL');
    // The dead child's lease is still in the file: without a takeover it would be waited out.
    const dead = await openStore().getRefreshLease('qwen', 'default');
    expect(dead?.holder).toContain(`:${child.pid}:`);
    expect(dead!.until).toBeGreaterThan(Date.now() + 5000);

    oauth.tokenLatencyMs = 0;
    const gw = await startParent();
    const before = refreshes();
    const { at, text, authorization } = await timedCompletion(gw);

    expect(text).toBe('You said: hi qwen');
    // Answered while the dead child's lease still stood: only a takeover can do that (waiting it
    // out ends after `until`, seconds from now). No wall-clock bound, which would only measure
    // how busy the machine is.
    expect(at).toBeLessThan(dead!.until);
    expect(refreshes()).toBe(before + 1);
    const account = (await openStore().get('qwen', 'default'))!;
    expect(account.version).toBe(seeded.version + 1);
    expect(authorization).toBe(`Bearer ${account.tokens.accessToken}`);
    // The refresh token the child never got to spend was spent once, by the gateway.
    expect(oauth.isRefreshTokenLive(seeded.tokens.refreshToken!)).toBe(false);
    expect(oauth.isRefreshTokenLive(account.tokens.refreshToken!)).toBe(true);
    expect(await openStore().getRefreshLease('qwen', 'default')).toBeUndefined();
    // And /metrics counts it.
    expect(await gw.app.get(MetricsRegistry).scrape()).toContain('byokey_token_refreshes_total{provider="qwen",outcome="refreshed"} 1');
  });

  it('never makes a request with a still-valid token wait: not for the live holder, not for the dead one', async () => {
    // Inside the 5-minute refresh margin (so the child refreshes it), but good for 2 more minutes.
    await seedAccount(2 * 60_000, 'qwen-access-still-valid');
    const child = await childMidRefresh();
    const gw = await startParent();
    const before = refreshes();

    // The child is alive and its refresh is held by the token server: use the token meanwhile.
    // The answer comes while the child's refresh is still held, so nothing waited for it (a
    // wall-clock bound would only measure how busy the machine is).
    const childRefresh = oauth.requests.filter((r) => r.provider === 'qwen' && r.body.grant_type === 'refresh_token').at(-1)!;
    expect(oauth.heldTokenRequests.has(childRefresh)).toBe(true);
    const whileHeld = await timedCompletion(gw);
    expect(oauth.heldTokenRequests.has(childRefresh)).toBe(true);
    expect(whileHeld.authorization).toBe('Bearer qwen-access-still-valid');
    expect(refreshes()).toBe(before);
    expect((await openStore().getRefreshLease('qwen', 'default'))?.holder).toContain(`:${child.pid}:`);

    // kill -9 mid-refresh: the next request takes the lease over at once and renews the token.
    await child.kill();
    oauth.tokenLatencyMs = 0;
    const deadLease = await openStore().getRefreshLease('qwen', 'default');
    expect(deadLease!.until).toBeGreaterThan(Date.now() + 3000);
    const afterKill = await timedCompletion(gw);
    // Waiting the dead child's lease out would end after its `until`; a takeover answers before.
    expect(afterKill.at).toBeLessThan(deadLease!.until);
    expect(refreshes()).toBe(before + 1);
    const account = (await openStore().get('qwen', 'default'))!;
    expect(afterKill.authorization).toBe(`Bearer ${account.tokens.accessToken}`);
    expect(account.tokens.accessToken).not.toBe('qwen-access-still-valid');
    expect(await openStore().getRefreshLease('qwen', 'default')).toBeUndefined();
  });
});
