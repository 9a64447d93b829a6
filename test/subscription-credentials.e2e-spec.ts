// A subscription account used through the gateway (the qwen plugin, a Qwen Code login): the
// stored token is refreshed when it is near expiry — once, however many requests are waiting —
// written before use, refreshed again after an upstream 401, and a refused refresh tells the
// client which command fixes it. Real gateway, real SQLite store, fake OAuth server and upstream.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import OpenAI from 'openai';
import { RefreshLoop } from '../src/auth/refresh-loop.service';
import type { Account } from '../src/store/account';
import { RequestRouter } from '../src/routing/request-router.service';
import { SqliteAccountStore } from '../src/store/sqlite/sqlite-account-store';
import { FakeOAuthServer } from './fakes/oauth-server.fake';
import { FakeOpenAIUpstream } from './fakes/openai-upstream.fake';
import { startGateway, type RunningGateway } from './support/gateway';

const MESSAGES = [{ role: 'user' as const, content: 'hi qwen' }];
const oauth = new FakeOAuthServer();
const upstream = new FakeOpenAIUpstream();
let home: string;
let gateway: RunningGateway | undefined;
let logs: string[];

beforeAll(async () => {
  await oauth.start();
  await upstream.start();
});
afterAll(async () => {
  await oauth.stop();
  await upstream.stop();
});
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'byokey-qwen-'));
  logs = [];
});
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  oauth.tokenLatencyMs = 0;
  rmSync(home, { recursive: true, force: true });
});

/** Stores a Qwen login whose access token expires `inMs` from now, with a live refresh token. */
async function seedAccount(inMs: number, accessToken = 'qwen-access-old'): Promise<Account> {
  const store = SqliteAccountStore.open({ home });
  try {
    return await store.save({
      provider: 'qwen',
      accountId: 'default',
      tokens: { accessToken, refreshToken: oauth.seedRefreshToken('qwen') },
      expiresAt: Date.now() + inMs,
      claims: { resource_url: 'portal.qwen.ai' },
    });
  } finally {
    await store.close();
  }
}

async function stored(): Promise<Account | undefined> {
  const store = SqliteAccountStore.open({ home });
  try {
    return await store.get('qwen', 'default');
  } finally {
    await store.close();
  }
}

async function start(): Promise<RunningGateway> {
  const lines = new PassThrough();
  lines.setEncoding('utf8').on('data', (text: string) => logs.push(...text.split('\n').filter(Boolean)));
  gateway = await startGateway(
    `
providers:
  qwen:
    base_url: ${upstream.url}
    oauth:
      token_url: ${oauth.urls.qwen.token}
`,
    { home, logLevel: 'debug', logDestination: lines },
  );
  return gateway;
}

const refreshes = () => oauth.tokenCallCount('refresh_token', 'qwen');

describe('subscription credentials through the gateway', () => {
  it('refreshes an expired token once, stores it, and the request goes through with it', async () => {
    const seeded = await seedAccount(-60_000);
    const gw = await start();
    const before = refreshes();
    const completion = await gw.openai.chat.completions.create({ model: 'qwen3-coder-plus', messages: MESSAGES });
    expect(completion.choices[0].message.content).toBe('You said: hi qwen');
    expect(refreshes()).toBe(before + 1);

    const account = (await stored())!;
    expect(account.tokens.accessToken).not.toBe('qwen-access-old');
    expect(account.version).toBe(seeded.version + 1);
    expect(account.expiresAt).toBeGreaterThan(Date.now() + 50 * 60_000);
    // Refresh tokens rotate: the old one is spent, the new one is stored.
    expect(oauth.isRefreshTokenLive(seeded.tokens.refreshToken!)).toBe(false);
    expect(oauth.isRefreshTokenLive(account.tokens.refreshToken!)).toBe(true);

    const sent = upstream.lastRequest;
    expect(sent.headers.authorization).toBe(`Bearer ${account.tokens.accessToken}`);
    expect(sent.headers['x-dashscope-authtype']).toBe('qwen-oauth');
    expect(sent.body.model).toBe('qwen3-coder-plus');
  });

  it('uses a token that is still fresh without refreshing', async () => {
    await seedAccount(60 * 60_000, 'qwen-access-fresh');
    const gw = await start();
    const before = refreshes();
    await gw.openai.chat.completions.create({ model: 'qwen3-coder-plus', messages: MESSAGES });
    expect(refreshes()).toBe(before);
    expect(upstream.lastRequest.headers.authorization).toBe('Bearer qwen-access-fresh');
  });

  it('refreshes a token within 5 minutes of expiry before using it', async () => {
    await seedAccount(4 * 60_000, 'qwen-access-expiring');
    const gw = await start();
    const before = refreshes();
    await gw.openai.chat.completions.create({ model: 'qwen3-coder-plus', messages: MESSAGES });
    expect(refreshes()).toBe(before + 1);
    expect(upstream.lastRequest.headers.authorization).not.toBe('Bearer qwen-access-expiring');
  });

  it('makes exactly one refresh for 20 concurrent requests, and all of them go through', async () => {
    await seedAccount(-1000);
    const gw = await start();
    oauth.tokenLatencyMs = 300; // all 20 arrive while the refresh is in flight
    const before = refreshes();
    const seen = upstream.requests.length;
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        gw.openai.chat.completions.create({ model: 'qwen3-coder-plus', messages: [{ role: 'user', content: `n${i}` }] }),
      ),
    );
    expect(refreshes()).toBe(before + 1);
    expect(answers.map((a) => a.choices[0].message.content)).toEqual(Array.from({ length: 20 }, (_, i) => `You said: n${i}`));
    const tokens = new Set(upstream.requests.slice(seen).map((r) => r.headers.authorization));
    expect(tokens).toEqual(new Set([`Bearer ${(await stored())!.tokens.accessToken}`]));
  });

  it('marks the account "needs re-login" when the refresh is refused, and says what to run', async () => {
    await seedAccount(-1000);
    const gw = await start();
    oauth.failRefresh('invalid_grant', 1);
    const before = refreshes();
    const error = await gw.openai.chat.completions.create({ model: 'qwen3-coder-plus', messages: MESSAGES }).catch((e) => e);
    // A 503, not a 401 the SDK would present as a bad API key: the client's key is fine.
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect(error.status).toBe(503);
    expect(error.code).toBe('needs_relogin');
    expect(error.message).toMatch(/run `byokey login qwen --account default`/);
    expect((await stored())?.status).toBe('needs_relogin');

    // Later requests fail the same way without hammering the token endpoint.
    const again = await gw.openai.chat.completions.create({ model: 'qwen3-coder-plus', messages: MESSAGES }).catch((e) => e);
    expect(again.status).toBe(503);
    expect(again.message).toMatch(/byokey login qwen --account default/);
    expect(refreshes()).toBe(before + 1);
  });

  it('keeps using a still-valid token when the token server is down, and refreshes later', async () => {
    await seedAccount(2 * 60_000, 'qwen-access-still-valid');
    const gw = await start();
    oauth.failRefresh('server_error', 1);
    await gw.openai.chat.completions.create({ model: 'qwen3-coder-plus', messages: MESSAGES });
    expect(upstream.lastRequest.headers.authorization).toBe('Bearer qwen-access-still-valid');
    expect((await stored())?.status).toBe('active');
    await gw.openai.chat.completions.create({ model: 'qwen3-coder-plus', messages: MESSAGES });
    expect(upstream.lastRequest.headers.authorization).not.toBe('Bearer qwen-access-still-valid');
  });

  it('refreshes once and retries once when the upstream rejects a token that looked fresh', async () => {
    await seedAccount(60 * 60_000, 'qwen-access-revoked');
    const gw = await start();
    const before = refreshes();
    const seen = upstream.requests.length;
    upstream.script({ kind: 'error', status: 401, body: { error: { message: 'invalid access token', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } } });
    const completion = await gw.openai.chat.completions.create({ model: 'qwen3-coder-plus', messages: MESSAGES });
    expect(completion.choices[0].message.content).toBe('You said: hi qwen');
    expect(refreshes()).toBe(before + 1);
    const [first, second] = upstream.requests.slice(seen).map((r) => r.headers.authorization);
    expect(first).toBe('Bearer qwen-access-revoked');
    expect(second).toBe(`Bearer ${(await stored())!.tokens.accessToken}`);
  });

  it('passes a second upstream 401 to the client instead of looping', async () => {
    await seedAccount(60 * 60_000);
    const gw = await start();
    const before = refreshes();
    const seen = upstream.requests.length;
    const rejected = { kind: 'error' as const, status: 401, body: { error: { message: 'no', type: 'invalid_request_error', param: null, code: null } } };
    upstream.script(rejected, rejected);
    const error = await gw.openai.chat.completions.create({ model: 'qwen3-coder-plus', messages: MESSAGES }).catch((e) => e);
    expect(error.status).toBe(401);
    expect(refreshes()).toBe(before + 1);
    expect(upstream.requests.length).toBe(seen + 2);
  });

  it('refreshes in the background before anyone asks', async () => {
    await seedAccount(2 * 60_000, 'qwen-access-background');
    const gw = await start();
    const before = refreshes();
    await gw.app.get(RefreshLoop).tick();
    expect(refreshes()).toBe(before + 1);
    expect((await stored())?.tokens.accessToken).not.toBe('qwen-access-background');
    // A second pass finds nothing due.
    await gw.app.get(RefreshLoop).tick();
    expect(refreshes()).toBe(before + 1);
  });

  it('keeps the refreshed tokens across a restart', async () => {
    await seedAccount(-1000);
    let gw = await start();
    await gw.openai.chat.completions.create({ model: 'qwen3-coder-plus', messages: MESSAGES });
    const refreshed = (await stored())!.tokens.accessToken;
    await gw.close();
    gateway = undefined;

    const before = refreshes();
    gw = await start();
    await gw.openai.chat.completions.create({ model: 'qwen3-coder-plus', messages: MESSAGES });
    expect(refreshes()).toBe(before);
    expect(upstream.lastRequest.headers.authorization).toBe(`Bearer ${refreshed}`);
  });

  it('tells the client to log in when there is no account', async () => {
    const gw = await start();
    const error = await gw.openai.chat.completions.create({ model: 'qwen3-coder-plus', messages: MESSAGES }).catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect(error.code).toBe('no_credentials');
    expect(error.message).toBe('503 Provider instance `qwen` has no usable credential: no account for qwen: run `byokey login qwen`.');
  });

  it('writes no token to the logs, even at debug level', async () => {
    const seeded = await seedAccount(-1000);
    const gw = await start();
    await gw.openai.chat.completions.create({ model: 'qwen3-coder-plus', messages: MESSAGES });
    upstream.script({ kind: 'error', status: 401, body: { error: { message: 'no', type: 'x', param: null, code: null } } });
    await gw.openai.chat.completions.create({ model: 'qwen3-coder-plus', messages: MESSAGES });
    const account = (await stored())!;
    const messages = logs.map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).toContain('refreshed the token of the qwen account "default"');
    expect(messages).toContain('the qwen upstream rejected the token of account "default"; refreshing once');
    const text = logs.join('\n');
    for (const secret of [seeded.tokens.accessToken, seeded.tokens.refreshToken!, account.tokens.accessToken, account.tokens.refreshToken!]) {
      expect(text).not.toContain(secret);
    }
  });
});
