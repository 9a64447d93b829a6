// withBearerToken against a real SQLite account store: an API key goes as it is, with its base
// URL and no store read; an account (named, or the provider's default) as its access token.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigService } from '@nestjs/config';
import { AccountCredentials } from '../../auth/account-credentials.service';
import { SqliteAccountStore } from '../../store/sqlite/sqlite-account-store';
import { withBearerToken, type BearerToken } from './bearer-token';

const HOUR = 60 * 60_000;

describe('withBearerToken', () => {
  let home: string;
  let store: SqliteAccountStore;
  let credentials: AccountCredentials;

  beforeEach(async () => {
    home = mkdtempSync(join(tmpdir(), 'byokey-bearer-'));
    store = SqliteAccountStore.open({ home });
    for (const [accountId, accessToken] of [['default', 'kimi-default'], ['second', 'kimi-second']]) {
      await store.save({ provider: 'kimi', accountId, tokens: { accessToken }, expiresAt: Date.now() + HOUR });
    }
    const config = { getOrThrow: () => ({ providers: [] }) } as unknown as ConfigService;
    credentials = new AccountCredentials(store, config, {});
  });
  afterEach(async () => {
    await store.close();
    rmSync(home, { recursive: true, force: true });
  });

  const seen = (bearer: BearerToken) => Promise.resolve({ token: bearer.token, baseUrl: bearer.baseUrl, account: bearer.account?.accountId });

  it('hands an API key over as it is, with its own base URL, reading no account', async () => {
    const get = jest.spyOn(store, 'get');
    const getDefault = jest.spyOn(store, 'getDefault');
    const bearer = await withBearerToken(credentials, 'kimi', { kind: 'api-key', id: 'api_keys[0]', key: 'sk-plain', baseUrl: 'http://key.example/v1' }, seen);
    expect(bearer).toEqual({ token: 'sk-plain', baseUrl: 'http://key.example/v1', account: undefined });
    expect(get).not.toHaveBeenCalled();
    expect(getDefault).not.toHaveBeenCalled();
  });

  it('hands the routed account over as its access token, and the default account when none is named', async () => {
    expect(await withBearerToken(credentials, 'kimi', { kind: 'account', provider: 'kimi', accountId: 'second' }, seen)).toEqual({
      token: 'kimi-second',
      baseUrl: undefined,
      account: 'second',
    });
    expect(await withBearerToken(credentials, 'kimi', { kind: 'none' }, seen)).toEqual({ token: 'kimi-default', baseUrl: undefined, account: 'default' });
  });
});
