// TokenRefresher against a fake OAuth server and real SQLite stores: single refresh per account
// within a process and across processes (two stores on one file stand for two byokey
// processes), write-before-use, and what a refused or failed refresh does.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeOAuthServer } from '../../test/fakes/oauth-server.fake';
import { qwenTestDefinition } from '../../test/fakes/oauth-definitions.fake';
import { GatewayError } from '../common/gateway-error';
import type { Account } from '../store/account';
import { SqliteAccountStore } from '../store/sqlite/sqlite-account-store';
import { REFRESH_MARGIN_MS, TokenRefresher } from './token-refresher';

describe('TokenRefresher', () => {
  const oauth = new FakeOAuthServer();
  let home: string;
  const stores: SqliteAccountStore[] = [];

  beforeAll(() => oauth.start());
  afterAll(() => oauth.stop());
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'byokey-refresher-'));
  });
  afterEach(async () => {
    oauth.tokenLatencyMs = 0;
    for (const store of stores.splice(0)) await store.close();
    rmSync(home, { recursive: true, force: true });
  });

  function open(): SqliteAccountStore {
    const store = SqliteAccountStore.open({ home });
    stores.push(store);
    return store;
  }

  function refresher(store: SqliteAccountStore): TokenRefresher {
    const definition = qwenTestDefinition(oauth);
    return new TokenRefresher(store, (provider) => (provider === 'qwen' ? definition : undefined), {
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 20))),
    });
  }

  async function seed(store: SqliteAccountStore, expiresInMs: number): Promise<Account> {
    return store.save({
      provider: 'qwen',
      accountId: 'default',
      tokens: { accessToken: 'old-access', refreshToken: oauth.seedRefreshToken('qwen') },
      expiresAt: Date.now() + expiresInMs,
    });
  }

  const refreshes = () => oauth.tokenCallCount('refresh_token', 'qwen');

  it('leaves a token alone until it is within the margin of expiry', async () => {
    const store = open();
    const fresh = await seed(store, REFRESH_MARGIN_MS + 60_000);
    const before = refreshes();
    expect(await refresher(store).ensureFresh(fresh)).toBe(fresh);
    expect(refreshes()).toBe(before);
  });

  it('makes one refresh for many callers in one process', async () => {
    const store = open();
    const stale = await seed(store, -1000);
    oauth.tokenLatencyMs = 100;
    const before = refreshes();
    const r = refresher(store);
    const results = await Promise.all(Array.from({ length: 10 }, () => r.ensureFresh(stale)));
    expect(refreshes()).toBe(before + 1);
    expect(new Set(results.map((a) => a.tokens.accessToken)).size).toBe(1);
    expect(results[0].tokens.accessToken).not.toBe('old-access');
  });

  it('makes one refresh across two processes sharing the database', async () => {
    const first = open();
    const second = open();
    const stale = await seed(first, -1000);
    oauth.tokenLatencyMs = 150;
    const before = refreshes();
    const [a, b] = [refresher(first), refresher(second)];
    const results = await Promise.all([
      ...Array.from({ length: 5 }, () => a.ensureFresh(stale)),
      ...Array.from({ length: 5 }, () => b.ensureFresh(stale)),
    ]);
    expect(refreshes()).toBe(before + 1);
    const tokens = new Set(results.map((r) => r.tokens.accessToken));
    expect(tokens.size).toBe(1);
    // The refresh token was used once, and the rotated one is what both processes now hold.
    expect(oauth.isRefreshTokenLive(stale.tokens.refreshToken!)).toBe(false);
    expect(oauth.isRefreshTokenLive((await second.get('qwen', 'default'))!.tokens.refreshToken!)).toBe(true);
  });

  it('writes the new tokens before handing them out', async () => {
    const store = open();
    const stale = await seed(store, -1000);
    const renewed = await refresher(store).ensureFresh(stale);
    const onDisk = await open().get('qwen', 'default');
    expect(onDisk?.tokens).toEqual(renewed.tokens);
    expect(onDisk?.version).toBe(stale.version + 1);
  });

  it('with force, refreshes a fresh-looking token once, but not tokens written since', async () => {
    const store = open();
    const fresh = await seed(store, 60 * 60_000);
    const before = refreshes();
    const r = refresher(store);
    const renewed = await r.ensureFresh(fresh, { force: true });
    expect(refreshes()).toBe(before + 1);
    // A late caller still holding the old account: the tokens changed since, so no new refresh.
    expect((await r.ensureFresh(fresh, { force: true })).tokens.accessToken).toBe(renewed.tokens.accessToken);
    expect(refreshes()).toBe(before + 1);
  });

  it('marks the account needs_relogin when the refresh is refused', async () => {
    const store = open();
    const stale = await seed(store, -1000);
    oauth.failRefresh('invalid_grant', 1);
    const error = await refresher(store).ensureFresh(stale).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).status).toBe(503);
    expect((error as GatewayError).message).toMatch(/run `byokey login qwen --account default`/);
    const after = await store.get('qwen', 'default');
    expect(after?.status).toBe('needs_relogin');
    expect(after?.statusReason).toMatch(/invalid_grant/);
  });

  it('answers 503 when an expired token cannot be renewed because the token server fails', async () => {
    const store = open();
    const stale = await seed(store, -1000);
    oauth.failRefresh('server_error', 1);
    const error = (await refresher(store).ensureFresh(stale).catch((e: unknown) => e)) as GatewayError;
    expect(error.status).toBe(503);
    expect(error.code).toBe('token_refresh_failed');
    expect((await store.get('qwen', 'default'))?.status).toBe('active');
  });

  it('refuses a disabled account and one that cannot be refreshed once expired', async () => {
    const store = open();
    const account = await seed(store, -1000);
    await store.setStatus('qwen', 'default', 'disabled');
    const disabled = (await refresher(store).ensureFresh({ ...account, status: 'disabled' }).catch((e: unknown) => e)) as GatewayError;
    expect(disabled.code).toBe('account_disabled');
    const noRefreshToken = { ...account, status: 'active' as const, tokens: { accessToken: 'x' } };
    const expired = (await refresher(store).ensureFresh(noRefreshToken).catch((e: unknown) => e)) as GatewayError;
    expect(expired.code).toBe('needs_relogin');
  });
});
