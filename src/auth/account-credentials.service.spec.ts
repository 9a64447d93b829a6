// AccountCredentials' account cache, against a real SQLite store and a fake OAuth server: a
// second request within the TTL reads nothing from the store, a refresh (here, after a 401, or
// by the background loop) replaces the kept account, a refused refresh forgets it, providers and
// accounts never mix — and the refresher still reads the store under its lease, so tokens another
// process rotated are used instead of a spent refresh token from the cache.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleLogger, Logger } from '@nestjs/common';
import type { ConfigService } from '@nestjs/config';
import { FakeOAuthServer } from '../../test/fakes/oauth-server.fake';
import { qwenTestDefinition } from '../../test/fakes/oauth-definitions.fake';
import { MetricsRegistry } from '../metrics/metrics-registry';
import { TokenRefreshMetrics } from '../metrics/token-refresh.metrics';
import type { OAuthCredential } from '../contract/provider-executor';
import type { Account } from '../store/account';
import { SqliteAccountStore } from '../store/sqlite/sqlite-account-store';
import { UpstreamError } from '../upstream/upstream-error';
import { AccountCredentials } from './account-credentials.service';
import { TokenRefresher } from './token-refresher';

const HOUR = 60 * 60_000;

describe('AccountCredentials (account cache)', () => {
  const oauth = new FakeOAuthServer();
  let home: string;
  const stores: SqliteAccountStore[] = [];

  beforeAll(async () => {
    // The refresher's log lines are not what these tests look at.
    Logger.overrideLogger(false);
    await oauth.start();
  });
  afterAll(async () => {
    Logger.overrideLogger(new ConsoleLogger());
    await oauth.stop();
  });
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'byokey-credentials-'));
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    rmSync(home, { recursive: true, force: true });
  });

  function open(): SqliteAccountStore {
    const store = SqliteAccountStore.open({ home });
    stores.push(store);
    return store;
  }

  function credentials(store: SqliteAccountStore): AccountCredentials {
    const config = { getOrThrow: () => ({ providers: [] }) } as unknown as ConfigService;
    return new AccountCredentials(store, config, { qwen: qwenTestDefinition(oauth) });
  }

  function seed(store: SqliteAccountStore, provider: string, accountId: string, accessToken: string, expiresInMs = HOUR): Promise<Account> {
    return store.save({
      provider,
      accountId,
      tokens: { accessToken, refreshToken: provider === 'qwen' ? oauth.seedRefreshToken('qwen') : undefined },
      expiresAt: Date.now() + expiresInMs,
    });
  }

  /** Counts the reads requests make (get by id, default); the refresher's own reads are `get`s too. */
  function reads(store: SqliteAccountStore): { get: jest.SpyInstance; getDefault: jest.SpyInstance } {
    return { get: jest.spyOn(store, 'get'), getDefault: jest.spyOn(store, 'getDefault') };
  }

  const refreshes = () => oauth.tokenCallCount('refresh_token', 'qwen');
  const unauthorized = () => new UpstreamError('upstream qwen answered HTTP 401', { failure: 'status', status: 401, instance: 'qwen' });

  it('reads the default account once for requests within the TTL', async () => {
    const store = open();
    await seed(store, 'qwen', 'default', 'qwen-token');
    const creds = credentials(store);
    const spy = reads(store);
    const first = await creds.get('qwen');
    const second = await creds.get('qwen');
    expect([first.accessToken, second.accessToken]).toEqual(['qwen-token', 'qwen-token']);
    expect(spy.getDefault).toHaveBeenCalledTimes(1);
    expect(spy.get).not.toHaveBeenCalled();
  });

  it('keeps providers and accounts apart', async () => {
    const store = open();
    await seed(store, 'qwen', 'default', 'qwen-default');
    await seed(store, 'qwen', 'second', 'qwen-second');
    await seed(store, 'codex', 'default', 'codex-default');
    await seed(store, 'codex', 'second', 'codex-second');
    const creds = credentials(store);
    const spy = reads(store);
    const tokens = async () =>
      Promise.all([creds.get('qwen'), creds.get('qwen', 'second'), creds.get('codex'), creds.get('codex', 'second')].map(async (c) => (await c).accessToken));
    expect(await tokens()).toEqual(['qwen-default', 'qwen-second', 'codex-default', 'codex-second']);
    expect(await tokens()).toEqual(['qwen-default', 'qwen-second', 'codex-default', 'codex-second']);
    expect(spy.getDefault).toHaveBeenCalledTimes(2);
    expect(spy.get).toHaveBeenCalledTimes(2);
  });

  it('replaces the kept account with the one a refresh wrote', async () => {
    const store = open();
    await seed(store, 'qwen', 'default', 'qwen-old', -1000);
    const creds = credentials(store);
    const before = refreshes();
    const first = await creds.get('qwen');
    expect(first.accessToken).not.toBe('qwen-old');
    const spy = reads(store);
    const second = await creds.get('qwen');
    expect(second.accessToken).toBe(first.accessToken);
    expect(refreshes()).toBe(before + 1);
    expect(spy.getDefault).not.toHaveBeenCalled();
  });

  it('after a 401, refreshes once and later requests get the renewed token from memory', async () => {
    const store = open();
    await seed(store, 'qwen', 'default', 'qwen-revoked');
    const creds = credentials(store);
    const before = refreshes();
    const used: string[] = [];
    const answer = await creds.run('qwen', async (credential: OAuthCredential) => {
      used.push(credential.accessToken);
      if (used.length === 1) throw unauthorized();
      return 'ok';
    });
    expect(answer).toBe('ok');
    expect(refreshes()).toBe(before + 1);
    const renewed = (await store.get('qwen', 'default'))!.tokens.accessToken;
    expect(used).toEqual(['qwen-revoked', renewed]);
    const spy = reads(store);
    expect((await creds.get('qwen')).accessToken).toBe(renewed);
    expect(spy.getDefault).not.toHaveBeenCalled();
  });

  it('forgets an account whose refresh was refused, and reads the store on the next request', async () => {
    const store = open();
    await seed(store, 'qwen', 'default', 'qwen-old', -1000);
    const creds = credentials(store);
    oauth.failRefresh('invalid_grant', 1);
    await expect(creds.get('qwen')).rejects.toMatchObject({ status: 503, code: 'needs_relogin' });
    const spy = reads(store);
    await expect(creds.get('qwen')).rejects.toMatchObject({ status: 503, code: 'needs_relogin' });
    expect(spy.getDefault).toHaveBeenCalledTimes(1);
  });

  it('sees a new login in the store once a failed account is forgotten', async () => {
    const store = open();
    await seed(store, 'qwen', 'default', 'qwen-old', -1000);
    const creds = credentials(store);
    oauth.failRefresh('invalid_grant', 1);
    await expect(creds.get('qwen')).rejects.toMatchObject({ code: 'needs_relogin' });
    await seed(store, 'qwen', 'default', 'qwen-relogged');
    expect((await creds.get('qwen')).accessToken).toBe('qwen-relogged');
  });

  it('uses tokens another process rotated instead of refreshing with the spent refresh token it kept', async () => {
    const store = open();
    await seed(store, 'qwen', 'default', 'qwen-first');
    const creds = credentials(store);
    expect((await creds.get('qwen')).accessToken).toBe('qwen-first');

    // Another byokey process renews the tokens: the refresh token kept in our cache is now spent.
    const other = open();
    const otherRefresher = new TokenRefresher(other, () => qwenTestDefinition(oauth));
    const rotated = await otherRefresher.ensureFresh((await other.get('qwen', 'default'))!, { force: true });
    const before = refreshes();

    // Our upstream rejects the cached token: the forced refresh reads the store under its lease
    // and takes the other process's tokens, with no refresh of its own.
    const used: string[] = [];
    await creds.run('qwen', async (credential: OAuthCredential) => {
      used.push(credential.accessToken);
      if (used.length === 1) throw unauthorized();
    });
    expect(used).toEqual(['qwen-first', rotated.tokens.accessToken]);
    expect(refreshes()).toBe(before);
    expect((await store.get('qwen', 'default'))!.status).toBe('active');
    expect((await creds.get('qwen')).accessToken).toBe(rotated.tokens.accessToken);
  });

  it('counts refreshes by provider and outcome in byokey_token_refreshes_total', async () => {
    const store = open();
    const metrics = new MetricsRegistry();
    const creds = credentials(store);
    new TokenRefreshMetrics(metrics, creds);
    const counted = async () => {
      const metric = metrics.registry.getSingleMetric('byokey_token_refreshes_total');
      const values = metric ? (await metric.get()).values : [];
      return Object.fromEntries(values.map((v) => [`${String(v.labels.provider)}/${String(v.labels.outcome)}`, v.value]));
    };
    // Expired: refreshed.
    await seed(store, 'qwen', 'expired', 'qwen-expired', -1000);
    await creds.get('qwen', 'expired');
    // Inside the margin while the token server fails: failed, the old token still used.
    await seed(store, 'qwen', 'expiring', 'qwen-expiring', 2 * 60_000);
    oauth.failRefresh('server_error', 1);
    expect((await creds.get('qwen', 'expiring')).accessToken).toBe('qwen-expiring');
    // Refused: a new login is needed.
    await seed(store, 'qwen', 'refused', 'qwen-refused', -1000);
    oauth.failRefresh('invalid_grant', 1);
    await expect(creds.get('qwen', 'refused')).rejects.toMatchObject({ code: 'needs_relogin' });
    expect(await counted()).toEqual({ 'qwen/refreshed': 1, 'qwen/failed': 1, 'qwen/relogin': 1 });
  });

  it('hands requests the account the background refresh renewed', async () => {
    const store = open();
    await seed(store, 'qwen', 'default', 'qwen-expiring', 2 * 60_000);
    const creds = credentials(store);
    // Within the margin: a request would refresh it; the loop gets there first.
    const stored = (await store.get('qwen', 'default'))!;
    const renewed = await creds.ensureFresh(stored);
    expect(renewed.tokens.accessToken).not.toBe('qwen-expiring');
    const spy = reads(store);
    const before = refreshes();
    expect((await creds.get('qwen', 'default')).accessToken).toBe(renewed.tokens.accessToken);
    expect(spy.get).not.toHaveBeenCalled();
    expect(refreshes()).toBe(before);
  });
});
